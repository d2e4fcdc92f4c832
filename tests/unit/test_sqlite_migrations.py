"""A database made before the workflow existed is migrated in place, and its tickets
read back with the workflow's defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loket.storage import sqlite
from loket.storage.desk_queries import TicketSearch
from loket.storage.sqlite_desk import DESK_WORDS_MIGRATION
from loket.storage.sqlite import SQLiteStore
from tests.contract.test_store_contract import T0, new_ticket


def test_an_old_database_is_migrated_and_its_tickets_still_read(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    old_columns = sqlite.TICKET_COLUMNS[:13]  # up to due_at, as migration 2 left it
    monkeypatch.setattr(sqlite, "MIGRATIONS", sqlite.MIGRATIONS[:2])
    monkeypatch.setattr(sqlite, "TICKET_COLUMNS", old_columns)
    monkeypatch.setattr(sqlite, "_INSERT_TICKET",
                        f"INSERT INTO tickets ({', '.join(old_columns)}) "
                        f"VALUES ({', '.join('?' for _ in old_columns)})")
    # The code of that time wrote neither the desk's words nor timeline events.
    monkeypatch.setattr(SQLiteStore, "_index_words", lambda *args, **kwargs: None)
    monkeypatch.setattr(SQLiteStore, "_insert_events", lambda *args, **kwargs: None)
    old = SQLiteStore(path)
    ticket, _ = old.create_ticket(new_ticket())
    old.close()
    monkeypatch.undo()

    store = SQLiteStore(path)
    assert store.migrate() == len(sqlite.MIGRATIONS)
    found = store.get_ticket(ticket.number)
    assert found.subject == ticket.subject and found.status == "open"
    assert found.status_since is None and found.entered_status_at == T0
    assert found.sla_used == timedelta(0) and found.sla_breaches == () and found.priority is None
    # The desk's word index is filled from the tickets already there.
    found_by_words = store.search_tickets(TicketSearch(products=frozenset({"planner"}),
                                                       words=("excel",)))
    assert [t.number for t in found_by_words] == [ticket.number]


def words_table(store: SQLiteStore) -> str:
    [sql] = [row[0] for row in store._connection().execute(
        "SELECT sql FROM sqlite_schema WHERE name = 'ticket_words'")]
    return sql


# With no later migration, and with one appended after it: the test names the
# migration it is about by its content, so it still makes the database just before it.
@pytest.mark.parametrize("later", [[], ["CREATE TABLE a_later_one (x)"]],
                         ids=["last", "one appended after it"])
def test_the_desk_words_are_kept_when_their_table_is_made_anew(tmp_path, monkeypatch, later):
    path = tmp_path / "before.db"
    monkeypatch.setattr(sqlite, "MIGRATIONS", sqlite.MIGRATIONS + later)
    desk_words = sqlite.MIGRATIONS.index(DESK_WORDS_MIGRATION)
    with monkeypatch.context() as before:
        before.setattr(sqlite, "MIGRATIONS", sqlite.MIGRATIONS[:desk_words])
        old = SQLiteStore(path)
        assert "columnsize" not in words_table(old)  # the table as it was made first
        ticket, _ = old.create_ticket(new_ticket())
        old.close()

    store = SQLiteStore(path)
    assert "columnsize" in words_table(store)  # no per-row token counts
    found = store.search_tickets(TicketSearch(products=frozenset({"planner"}),
                                              words=("excel",)))
    assert [t.number for t in found] == [ticket.number]
