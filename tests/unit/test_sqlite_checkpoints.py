"""The SQLite store checkpoints its WAL in a thread of its own, not inside a writer's
COMMIT (storage/sqlite_checkpoints.py), and the WAL still starts over."""

from __future__ import annotations

import os
import threading

import loket.storage.sqlite_checkpoints as checkpoints
from loket.storage.sqlite import SQLiteStore
from tests.contract.test_store_contract import new_ticket


def wal_pages(store: SQLiteStore) -> int:
    """Pages in the WAL file (SQLite reuses the file from the start after a restart)."""
    return os.path.getsize(store.path + "-wal") // 4096


def test_no_commit_of_the_store_runs_a_checkpoint(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    for conn in (store._writer(), store._connection()):
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0


def test_a_checkpoint_is_asked_for_every_so_many_commits(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(checkpoints._worker, "due", asked.append)
    store = SQLiteStore(tmp_path / "loket.db")
    for i in range(checkpoints.EVERY * 2):
        store.create_ticket(new_ticket(f"s{i}"))
    assert asked == [store._checkpoints] * 2


def test_the_wal_starts_over_after_each_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints._worker, "due", lambda c: c.run())  # No thread: at once.
    store = SQLiteStore(tmp_path / "loket.db")
    for i in range(checkpoints.EVERY):
        store.create_ticket(new_ticket(f"first {i}"))
    after_one = wal_pages(store)
    for i in range(checkpoints.EVERY * 4):
        store.create_ticket(new_ticket(f"more {i}"))
    # Without the checkpoints it would hold five times as many pages.
    assert wal_pages(store) <= after_one * 1.5
    assert store.get_ticket(10001).subject == "first 0"


def test_only_past_its_limit_does_the_checkpoint_catch_up_under_the_write_lock(
        tmp_path, monkeypatch):
    """A writer that began before the checkpoint ended keeps SQLite from starting the
    WAL over; past RESTART_PAGES the thread catches up holding the write lock, so the
    next writer does. Below it, writers never wait for a checkpoint."""
    store = SQLiteStore(tmp_path / "loket.db")
    taken = []

    class RecordingLock:
        def __enter__(self):
            taken.append("locked")

        def __exit__(self, *exc):
            return None

    monkeypatch.setattr(store._checkpoints, "write_lock", RecordingLock())
    store.create_ticket(new_ticket("below the limit"))
    store._checkpoints.run()
    assert taken == []
    monkeypatch.setattr(checkpoints, "RESTART_PAGES", 0)
    store.create_ticket(new_ticket("past the limit"))
    store._checkpoints.run()
    assert taken == ["locked"]


def test_the_worker_thread_checkpoints_what_is_due(tmp_path, monkeypatch):
    store = SQLiteStore(tmp_path / "loket.db")
    ran = threading.Event()
    original = checkpoints.Checkpoints.run

    def run(self):
        original(self)
        ran.set()

    monkeypatch.setattr(checkpoints.Checkpoints, "run", run)
    for i in range(checkpoints.EVERY):
        store.create_ticket(new_ticket(f"s{i}"))
    assert ran.wait(timeout=30)  # The thread's turn, not a fixed pause.
    busy, frames, copied = store._connection().execute(
        "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and frames == copied
    assert store.get_ticket(10001 + checkpoints.EVERY - 1).subject == f"s{checkpoints.EVERY - 1}"
