"""The SQLite library Python links may be older than the store's statements need
(UPDATE ... RETURNING is 3.35.0; Debian 11's libsqlite3, which a Python 3.11 built
there links, is 3.34.1): the store refuses to open with a message that says what is
needed, instead of a syntax error at the first ticket or claimed mail."""

from __future__ import annotations

import sqlite3

import pytest

from loket.storage import sqlite as sqlite_store
from loket.storage.sqlite import SQLiteStore, SQLiteTooOld


def test_a_sqlite_library_without_returning_is_refused_by_name(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 34, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.34.1")
    with pytest.raises(SQLiteTooOld, match=r"3\.34\.1.*3\.35\.0"):
        SQLiteStore(tmp_path / "loket.db")
    assert not (tmp_path / "loket.db").exists()  # nothing made


def test_a_missing_feature_is_named(monkeypatch):
    monkeypatch.setattr(sqlite_store, "_LIBRARY_CHECKED", False)  # checked once a process
    monkeypatch.setattr(sqlite_store, "_FEATURES",
                        (("the JSON functions", "SELECT json_set('{}', '$.a', 1)"),
                         ("a feature this library lacks", "SELECT no_such_function(1)")))
    with pytest.raises(SQLiteTooOld, match="a feature this library lacks"):
        sqlite_store.check_sqlite_library()


def test_this_library_has_what_the_store_needs(tmp_path):
    sqlite_store.check_sqlite_library()
    SQLiteStore(tmp_path / "loket.db").close()
