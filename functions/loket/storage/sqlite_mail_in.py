"""Mail-in's part of the SQLite store: refused mail kept for agents, and the unique
index that makes a keyed message (a reply taken in from e-mail) stored once."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Sequence

from loket.domain.errors import MessageAlreadyStored
from loket.domain.refused import RefusedMail
from loket.domain.tickets import Message
from loket.storage.records import utc_iso
from loket.storage.refused_records import (REFUSED_COLUMNS, refused_from_record,
                                           refused_to_record)

MAIL_IN_MIGRATION = """
    ALTER TABLE messages ADD COLUMN idempotency_key TEXT;
    CREATE UNIQUE INDEX messages_by_key ON messages(ticket, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
    CREATE TABLE refused_mail (
        id TEXT PRIMARY KEY, received_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        kind TEXT NOT NULL, reason TEXT NOT NULL, sender TEXT NOT NULL,
        subject TEXT NOT NULL, message_id TEXT NOT NULL, raw_key TEXT,
        size INTEGER NOT NULL, ticket INTEGER, taken_in_at TEXT, taken_in_by TEXT);
    CREATE INDEX refused_mail_by_time ON refused_mail(received_at, id);
    """


def check_message_key(conn: sqlite3.Connection, number: int, message: Message) -> None:
    """Raise MessageAlreadyStored when the ticket holds a message with this one's key
    (inside the write transaction, so the save is rolled back whole)."""
    if message.idempotency_key and conn.execute(
            "SELECT 1 FROM messages WHERE ticket = ? AND idempotency_key = ?",
            (number, message.idempotency_key)).fetchone():
        raise MessageAlreadyStored(number, message.idempotency_key)


class SQLiteMailIn:
    """Refused mail; mixed into SQLiteStore, which provides _connection, _write and the
    mail queue's _insert_mails and _mail_queued."""

    def keep_refused(self, mail: RefusedMail, *, mails: Sequence = ()) -> bool:
        rec = refused_to_record(mail)
        with self._write() as conn:
            kept = conn.execute(
                f"INSERT OR IGNORE INTO refused_mail ({', '.join(REFUSED_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in REFUSED_COLUMNS)})",
                [rec[c] for c in REFUSED_COLUMNS]).rowcount == 1
            if kept:
                self._insert_mails(conn, mails)  # The notice, in the same write.
        if kept:
            self._mail_queued(mails)
        return kept

    def get_refused(self, refused_id: str) -> RefusedMail | None:
        row = self._connection().execute("SELECT * FROM refused_mail WHERE id = ?",
                                          (refused_id,)).fetchone()
        return refused_from_record(dict(row)) if row else None

    def list_refused(self, limit: int = 50,
                     before: datetime | None = None) -> list[RefusedMail]:
        where, args = ("WHERE received_at < ?", [utc_iso(before)]) if before else ("", [])
        rows = self._connection().execute(
            f"SELECT * FROM refused_mail {where} ORDER BY received_at DESC, id DESC "
            "LIMIT ?", [*args, limit]).fetchall()
        return [refused_from_record(dict(r)) for r in rows]

    def mark_refused_taken_in(self, refused_id: str, *, ticket: int, by: str,
                              at: datetime) -> RefusedMail | None:
        with self._write() as conn:
            row = conn.execute(
                "UPDATE refused_mail SET ticket = ?, taken_in_by = ?, taken_in_at = ? "
                "WHERE id = ? AND taken_in_at IS NULL RETURNING *",
                (ticket, by, utc_iso(at), refused_id)).fetchone()
        return refused_from_record(dict(row)) if row else None
