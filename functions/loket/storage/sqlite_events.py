"""SQLiteStore's ticket events: an append-only table. Triggers refuse every UPDATE and
DELETE, so not even a later code path (or a hand-typed statement) can change the audit
trail; rows are written only inside the transaction of the change they describe.
Beside them, who has a ticket open at the desk (presence): short-lived, overwritten."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Sequence

from loket.domain.events import TicketEvent
from loket.storage.event_records import EVENT_COLUMNS, event_from_record, event_to_record
from loket.storage.records import utc_iso

EVENTS_MIGRATION = """
    CREATE TABLE ticket_events (
        ticket INTEGER NOT NULL REFERENCES tickets(number), key TEXT NOT NULL,
        at TEXT NOT NULL, by TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL,
        detail TEXT NOT NULL, PRIMARY KEY (ticket, key)) WITHOUT ROWID;
    CREATE TRIGGER ticket_events_never_change BEFORE UPDATE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
    CREATE TRIGGER ticket_events_never_go BEFORE DELETE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
    CREATE TABLE ticket_presence (
        ticket INTEGER NOT NULL, agent TEXT NOT NULL, until TEXT NOT NULL,
        PRIMARY KEY (ticket, agent)) WITHOUT ROWID
"""


_INSERT_EVENT = (f"INSERT INTO ticket_events ({', '.join(EVENT_COLUMNS)}) "
                 f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})")


class SQLiteEvents:
    """Mixed into SQLiteStore; expects its _connection()."""

    def _insert_events(self, conn: sqlite3.Connection, events: Sequence[TicketEvent]) -> None:
        """Inside the change's transaction. A key used already fails the whole write."""
        records = [event_to_record(e) for e in events]
        conn.executemany(_INSERT_EVENT, [[rec[c] for c in EVENT_COLUMNS] for rec in records])

    def mark_presence(self, number: int, agent: str, until: datetime) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO ticket_presence VALUES (?, ?, ?) ON CONFLICT "
                         "(ticket, agent) DO UPDATE SET until = excluded.until",
                         (number, agent, utc_iso(until)))

    def present_agents(self, number: int, now: datetime) -> list[str]:
        rows = self._connection().execute(
            "SELECT agent FROM ticket_presence WHERE ticket = ? AND until > ? ORDER BY agent",
            (number, utc_iso(now))).fetchall()
        return [row[0] for row in rows]

    def list_events(self, number: int) -> list[TicketEvent]:
        rows = self._connection().execute(
            "SELECT * FROM ticket_events WHERE ticket = ? ORDER BY key", (number,)).fetchall()
        return [event_from_record(dict(r)) for r in rows]
