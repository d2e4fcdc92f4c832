"""SQLite keeps ticket events append-only in the schema itself: a hand-typed UPDATE or
DELETE of an event is refused by its triggers, so the audit trail holds even against
code that bypasses the store's methods."""

from __future__ import annotations

import sqlite3

import pytest

from loket.storage.sqlite import SQLiteStore
from tests.contract.test_store_contract import new_ticket


@pytest.mark.parametrize("statement", [
    "UPDATE ticket_events SET by = 'someone-else'",
    "DELETE FROM ticket_events",
])
def test_events_cannot_be_changed_or_removed_even_by_hand(tmp_path, statement):
    store = SQLiteStore(tmp_path / "loket.db")
    ticket, _ = store.create_ticket(new_ticket())
    before = store.list_events(ticket.number)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with store._write() as conn:
            conn.execute(statement)
    assert store.list_events(ticket.number) == before
