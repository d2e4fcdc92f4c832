"""SQLiteStore's mail queue and suppression list: a mixin over the store's connection
and write transactions (storage/sqlite.py); its tables come from the same migrations.
tests/contract/test_mail_queue_contract.py defines the behaviour."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Callable, Sequence

from loket.domain.outgoing import MailState, OutgoingMail, Suppression, address_key
from loket.domain.suppression_lifts import SuppressionLift
from loket.storage.mail_records import (MAIL_COLUMNS, lift_from_record, lift_to_record,
                                        mail_from_record, mail_row, mail_to_record,
                                        suppression_from_record, suppression_to_record)
from loket.storage.mail_outcomes import outcome_fields
from loket.storage.records import utc_iso


# Built once: a new ticket's write queues its mails with it.
_INSERT_MAIL = (f"INSERT INTO mail_queue ({', '.join(MAIL_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in MAIL_COLUMNS)})")


class SQLiteMailQueue:
    """Mixed into SQLiteStore; expects its _connection() and _write()."""

    # Called (no arguments) after a write that queued mail has committed, so a
    # dispatcher in the same process can wake at once (`loket serve`).
    mail_listener: Callable[[], None] | None = None

    def _insert_mails(self, conn: sqlite3.Connection, mails: Sequence[OutgoingMail]) -> None:
        if not mails:  # Most writes queue nothing; they need not know the table.
            return
        conn.executemany(_INSERT_MAIL, [[row[c] for c in MAIL_COLUMNS]
                                        for row in map(mail_row, mails)])

    def _mail_queued(self, mails: Sequence[OutgoingMail]) -> None:
        if mails and self.mail_listener is not None:
            self.mail_listener()

    def enqueue_mail(self, mails: Sequence[OutgoingMail]) -> None:
        with self._write() as conn:
            self._insert_mails(conn, mails)
        self._mail_queued(mails)

    def claim_mail(self, now: datetime, lease_until: datetime,
                   limit: int = 50) -> list[OutgoingMail]:
        # Two statements and no Python work per mail inside the write transaction: the
        # mail process runs at the lowest CPU priority, and a server's writer waits for
        # as long as it holds the lock (the records are read after the commit).
        lease = utc_iso(lease_until)
        # A round often finds nothing (woken for mail a round before it took): a read
        # says so without the write lock, which the server's writers would wait for.
        # Mail queued after this read wakes the dispatcher again (mail_listener).
        if self._connection().execute(
                "SELECT 1 FROM mail_queue WHERE state = 'pending' AND next_attempt_at <= ? "
                "LIMIT 1", (utc_iso(now),)).fetchone() is None:
            return []
        with self._write() as conn:
            ids = [row[0] for row in conn.execute(
                "SELECT id FROM mail_queue WHERE state = 'pending' "
                "AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                (utc_iso(now), limit))]
            records = dict(conn.execute(
                "UPDATE mail_queue SET next_attempt_at = ?, "
                "record = json_set(record, '$.next_attempt_at', ?) "
                f"WHERE id IN ({', '.join('?' * len(ids))}) RETURNING id, record",
                (lease, lease, *ids)).fetchall()) if ids else {}
        return [replace(mail_from_record(json.loads(records[each])), next_attempt_at=lease_until)
                for each in ids]

    def update_mail(self, mail: OutgoingMail) -> None:
        with self._write() as conn:
            self._write_mail(conn, mail)

    def requeue_mail(self, seen: OutgoingMail, now: datetime) -> bool:
        # The retry's fields only, where the mail is still as read: the rest of the
        # record (its address, its data) stays as an erasure may have left it.
        due = utc_iso(now)
        seen_at = mail_row(seen)["next_attempt_at"]
        with self._write() as conn:
            return conn.execute(
                "UPDATE mail_queue SET state = 'pending', next_attempt_at = ?, "
                "record = json_set(record, '$.state', 'pending', '$.next_attempt_at', ?, "
                "'$.since', ?) WHERE id = ? AND state = ? AND next_attempt_at IS ?",
                (due, due, due, seen.id, seen.state.value, seen_at)).rowcount == 1

    def update_mails(self, mails: Sequence[OutgoingMail], *, claimed_until: datetime) -> None:
        # Only the attempt's fields (storage/mail_outcomes.py), and only where the claim
        # holds: an erasure that rewrote or removed a mail meanwhile keeps its work, and
        # a mail claimed again after the lease is the newer claim's.
        if not mails:
            return
        rows = [_outcome_row(mail) for mail in mails]  # made before the lock is taken
        with self._write() as conn:  # One transaction: the dispatcher's batch.
            conn.executemany(
                "UPDATE mail_queue SET state = ?, next_attempt_at = ?, record = json_set("
                "record, '$.state', ?, '$.attempts', ?, '$.next_attempt_at', ?, "
                "'$.last_error', ?, '$.sent_at', ?, "
                "'$.data', coalesce(?, json_extract(record, '$.data'))) "
                "WHERE id = ? AND state = 'pending' AND next_attempt_at = ?",
                [(*row, utc_iso(claimed_until)) for row in rows])

    def expand_mail(self, intent: OutgoingMail, mails: Sequence[OutgoingMail], *,
                    seen: OutgoingMail | None = None) -> bool:
        return self.expand_mails([(intent, mails, seen)])[0]

    def expand_mails(self, expansions: Sequence[tuple[OutgoingMail, Sequence[OutgoingMail],
                                                      OutgoingMail | None]]) -> list[bool]:
        # One transaction for the whole of a dispatcher's round: the server's writers, in
        # another process, meet its write lock once instead of once per new ticket.
        # Each expansion is whole or absent in it. With `seen`, only while the record is
        # as claimed (pending, its lease, its data), checked in the transaction that
        # queues the mails: an erasure that rewrote the record comes wholly before (False,
        # nothing written: the dispatcher expands what the store has now) or after (it
        # finds the mails and rewrites them). A mail queued already is left as it is,
        # unless it waits still and the data differ (an erasure rewrote the record after
        # an earlier expansion).
        rows = [[[row[c] for c in MAIL_COLUMNS] for row in map(mail_row, mails)]
                for _, mails, _ in expansions]  # made before the lock is taken
        expanded = []
        with self._write() as conn:
            for (intent, _, seen), mail_rows in zip(expansions, rows):
                expanded.append(seen is None or _as_seen(conn, seen))
                if expanded[-1]:
                    self._expand(conn, intent, mail_rows)
        self._mail_queued([mail for (_, mails, _), done in zip(expansions, expanded)
                           if done for mail in mails])
        return expanded

    def _expand(self, conn: sqlite3.Connection, intent: OutgoingMail, rows: list) -> None:
        conn.executemany(
            f"INSERT INTO mail_queue ({', '.join(MAIL_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in MAIL_COLUMNS)}) ON CONFLICT (id) DO UPDATE "
            "SET state = excluded.state, next_attempt_at = excluded.next_attempt_at, "
            "record = excluded.record WHERE mail_queue.state = 'pending' AND "
            "json_extract(mail_queue.record, '$.data') IS NOT "
            "json_extract(excluded.record, '$.data')", rows)
        self._write_mail(conn, intent)

    def _write_mail(self, conn: sqlite3.Connection, mail: OutgoingMail) -> None:
        row = mail_row(mail)
        conn.execute("UPDATE mail_queue SET state = ?, next_attempt_at = ?, record = ? "
                     "WHERE id = ?",
                     (row["state"], row["next_attempt_at"], row["record"], mail.id))

    def get_mail(self, mail_id: str) -> OutgoingMail | None:
        row = self._connection().execute("SELECT record FROM mail_queue WHERE id = ?",
                                          (mail_id,)).fetchone()
        return mail_from_record(json.loads(row[0])) if row else None

    def list_mail(self, pending: bool, limit: int = 100) -> list[OutgoingMail]:
        if pending:
            sql = ("SELECT record FROM mail_queue WHERE state = 'pending' "
                   "ORDER BY next_attempt_at, id LIMIT ?")
        else:
            sql = ("SELECT record FROM mail_queue WHERE state IN ('failed', 'suppressed') "
                   "ORDER BY created_at DESC LIMIT ?")
        rows = self._connection().execute(sql, (limit,)).fetchall()
        return [mail_from_record(json.loads(row[0])) for row in rows]

    def suppress_address(self, suppression: Suppression) -> None:
        rec = {**suppression_to_record(suppression), "address": address_key(suppression.address)}
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO mail_suppressions "
                         "(address, reason, detail, created_at) VALUES (?, ?, ?, ?)",
                         (rec["address"], rec["reason"], rec["detail"], rec["created_at"]))

    def get_suppression(self, address: str) -> Suppression | None:
        row = self._connection().execute(
            "SELECT * FROM mail_suppressions WHERE address = ?",
            (address_key(address),)).fetchone()
        return suppression_from_record(dict(row)) if row else None

    def list_suppressions(self, limit: int = 100) -> list[Suppression]:
        # The table holds suppressions only, one row per address that bounced hard or
        # complained: sorting it is sorting that list.
        rows = self._connection().execute(
            "SELECT * FROM mail_suppressions ORDER BY created_at DESC, address LIMIT ?",
            (limit,)).fetchall()
        return [suppression_from_record(dict(row)) for row in rows]

    def index_suppressions(self) -> int:
        # Nothing to do: the table is the list (list_suppressions sorts it), so every
        # suppression, however old, is on it.
        return 0

    def lift_suppression(self, address: str, *, lifted_by: str, lifted_at: datetime,
                         note: str = "") -> SuppressionLift | None:
        key = address_key(address)
        with self._write() as conn:
            row = conn.execute("SELECT * FROM mail_suppressions WHERE address = ?",
                               (key,)).fetchone()
            if row is None:
                return None
            lift = SuppressionLift(suppression_from_record(dict(row)), lifted_by, lifted_at, note)
            conn.execute("DELETE FROM mail_suppressions WHERE address = ?", (key,))
            conn.execute("INSERT INTO mail_suppression_lifts (address, lifted_at, record) "
                         "VALUES (?, ?, ?)",
                         (key, utc_iso(lifted_at), json.dumps(lift_to_record(lift))))
        return lift

    def suppression_lifts(self, address: str) -> list[SuppressionLift]:
        rows = self._connection().execute(
            "SELECT record FROM mail_suppression_lifts WHERE address = ? ORDER BY id DESC",
            (address_key(address),)).fetchall()
        return [lift_from_record(json.loads(row[0])) for row in rows]


def _as_seen(conn: sqlite3.Connection, seen: OutgoingMail) -> bool:
    """Whether the stored mail is still pending under `seen`'s claim, with its data."""
    row = conn.execute("SELECT state, next_attempt_at, record FROM mail_queue WHERE id = ?",
                       (seen.id,)).fetchone()
    return row is not None and row[0] == MailState.PENDING.value and \
        row[1] == mail_row(seen)["next_attempt_at"] and \
        json.loads(row[2])["data"] == mail_to_record(seen)["data"]


def _outcome_row(mail: OutgoingMail) -> tuple:
    """update_mails' parameters for `mail` but the lease: the columns, the record's
    outcome fields (data only when sent: None keeps the stored data), the id."""
    fields = outcome_fields(mail)
    column = fields["next_attempt_at"] if mail.state is MailState.PENDING else None
    return (fields["state"], column, fields["state"], fields["attempts"],
            fields["next_attempt_at"], fields["last_error"], fields["sent_at"],
            fields.get("data"), mail.id)


# The migration that makes these tables (appended to storage/sqlite.py's MIGRATIONS).
# Pending mail is found by its next attempt (a partial index: O(mail due)); mail an
# admin must see (failed, suppressed) by a second partial index; sent mail is on neither.
MAIL_MIGRATION = """
    CREATE TABLE mail_queue (
        id TEXT PRIMARY KEY, ticket INTEGER, state TEXT NOT NULL,
        next_attempt_at TEXT, created_at TEXT NOT NULL, record TEXT NOT NULL);
    CREATE INDEX mail_queue_due ON mail_queue(next_attempt_at) WHERE state = 'pending';
    CREATE INDEX mail_queue_undelivered ON mail_queue(created_at)
        WHERE state IN ('failed', 'suppressed');
    CREATE TABLE mail_suppressions (
        address TEXT PRIMARY KEY, reason TEXT NOT NULL, detail TEXT NOT NULL,
        created_at TEXT NOT NULL);
    """

# Lifted suppressions, kept (storage/sqlite.py's MIGRATIONS appends this after the rest).
SUPPRESSION_LIFTS_MIGRATION = """
    CREATE TABLE mail_suppression_lifts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT NOT NULL,
        lifted_at TEXT NOT NULL, record TEXT NOT NULL);
    CREATE INDEX mail_suppression_lifts_by_address ON mail_suppression_lifts(address, id);
    """
