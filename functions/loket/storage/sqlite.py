"""The embedded store: one SQLite file in WAL mode, schema kept by numbered migrations."""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from loket.domain.attachments import Upload
from loket.domain.errors import IdempotencyConflict, VersionConflict
from loket.domain.limits import HitLimit, OverLimit
from loket.domain.events import TicketEvent, check_events, created_event
from loket.domain.tickets import Message, NewTicket, Ticket

if TYPE_CHECKING:
    from loket.domain.outgoing import OutgoingMail
from loket.storage.blob_keys import keys_in_attachments, upload_final_key
from loket.storage.sqlite_accounts import SQLiteAccounts
from loket.storage.sqlite_checkpoints import Checkpoints, checkpoints_for
from loket.storage.sqlite_group_commit import group_commit_for, prepare_writer, write_alone
from loket.storage.sqlite_desk import DESK_MIGRATION, DESK_WORDS_MIGRATION, SQLiteDesk, words_row
from loket.storage.sqlite_erase_jobs import ERASE_JOBS_MIGRATION, SQLiteEraseJobs
from loket.storage.sqlite_events import EVENTS_MIGRATION, SQLiteEvents
from loket.storage.sqlite_known_issues import KNOWN_ISSUES_MIGRATION, SQLiteKnownIssues
from loket.storage.sqlite_mail import (MAIL_MIGRATION, SUPPRESSION_LIFTS_MIGRATION,
                                       SQLiteMailQueue)
from loket.storage.sqlite_mail_in import MAIL_IN_MIGRATION, SQLiteMailIn, check_message_key
from loket.storage.due_kinds import (SQLITE_MIGRATION as DUE_KINDS_MIGRATION,
                                      SQLITE_REMOVALS_DUE, SQLITE_TIMERS_DUE)
from loket.storage.records import (TICKET_COLUMNS, UPLOAD_COLUMNS, iso, message_from_record,
                                   message_to_record, ticket_from_record, ticket_to_record,
                                   upload_from_record, upload_to_record, utc_iso)

# Each migration runs once, in order; the database remembers how far it got in
# PRAGMA user_version. Never edit a migration that has shipped: add a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE tickets (
        number INTEGER PRIMARY KEY, access_key TEXT NOT NULL, email TEXT NOT NULL,
        product TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL,
        fields TEXT NOT NULL, language TEXT NOT NULL, status TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket INTEGER NOT NULL REFERENCES tickets(number),
        author TEXT NOT NULL, role TEXT NOT NULL, body TEXT NOT NULL,
        created_at TEXT NOT NULL, public INTEGER NOT NULL);
    CREATE INDEX messages_by_ticket ON messages(ticket, id);
    CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
        ticket INTEGER NOT NULL REFERENCES tickets(number));
    CREATE TABLE hit_counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL,
                               expires_at TEXT NOT NULL);
    CREATE INDEX hit_counters_by_expiry ON hit_counters(expires_at);
    """,
    """
    ALTER TABLE tickets ADD COLUMN due_at TEXT;
    CREATE INDEX tickets_by_due_at ON tickets(due_at) WHERE due_at IS NOT NULL;
    """,
    # The workflow's and the SLA clock's state; see records.ticket_to_record.
    """
    ALTER TABLE tickets ADD COLUMN status_since TEXT;
    ALTER TABLE tickets ADD COLUMN timers_fired TEXT;
    ALTER TABLE tickets ADD COLUMN assignee TEXT;
    ALTER TABLE tickets ADD COLUMN impact TEXT;
    ALTER TABLE tickets ADD COLUMN urgency TEXT;
    ALTER TABLE tickets ADD COLUMN priority TEXT;
    ALTER TABLE tickets ADD COLUMN first_response_at TEXT;
    ALTER TABLE tickets ADD COLUMN sla_used INTEGER;
    ALTER TABLE tickets ADD COLUMN sla_since TEXT;
    ALTER TABLE tickets ADD COLUMN sla_breaches TEXT;
    """,
    # Attachments: a JSON list on each message, and uploads waiting for their message
    # (records.upload_to_record); the partial index finds expired pending ones.
    """
    ALTER TABLE messages ADD COLUMN attachments TEXT;
    CREATE TABLE uploads (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, content_type TEXT NOT NULL,
        size INTEGER NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        ticket INTEGER, claim_key TEXT);
    CREATE INDEX uploads_pending_by_expiry ON uploads(expires_at) WHERE ticket IS NULL;
    """,
    # Accounts, organizations, rights and the customer portal (storage/sqlite_accounts.py):
    # a ticket's organization and plan state, the indexes "my tickets" pages through
    # (newest first, by number), and the account tables. Organizations and accounts
    # are a JSON record (storage/account_records.py) plus the columns looked up by.
    """
    ALTER TABLE tickets ADD COLUMN organization TEXT;
    ALTER TABLE tickets ADD COLUMN warranty INTEGER;
    ALTER TABLE tickets ADD COLUMN follow_up_of INTEGER;
    CREATE INDEX tickets_by_account ON tickets(lower(email), number);
    CREATE INDEX tickets_by_organization ON tickets(organization, number)
        WHERE organization IS NOT NULL;
    CREATE TABLE organizations (id TEXT PRIMARY KEY, record TEXT NOT NULL);
    CREATE TABLE accounts (email TEXT PRIMARY KEY, organization TEXT, record TEXT NOT NULL);
    CREATE INDEX accounts_by_organization ON accounts(organization, email);
    CREATE TABLE one_time_tokens (
        hash TEXT PRIMARY KEY, purpose TEXT NOT NULL, email TEXT NOT NULL,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
    CREATE TABLE sessions (
        hash TEXT PRIMARY KEY, email TEXT NOT NULL, csrf TEXT NOT NULL,
        epoch INTEGER NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
    CREATE INDEX sessions_by_expiry ON sessions(expires_at);
    CREATE TABLE ratings (
        ticket INTEGER PRIMARY KEY REFERENCES tickets(number), good INTEGER NOT NULL,
        comment TEXT NOT NULL, created_at TEXT NOT NULL, rated_by TEXT NOT NULL);
    """,
    # The agent desk's queue: the tickets of a product, by number.
    """
    CREATE INDEX tickets_by_product ON tickets(product, number);
    """,
    # The mail queue and the suppression list (storage/sqlite_mail.py).
    MAIL_MIGRATION,
    # Mail-in: message idempotency keys and refused mail (storage/sqlite_mail_in.py).
    MAIL_IN_MIGRATION,
    # Ticket events, append-only: the timeline and audit trail (storage/sqlite_events.py).
    EVENTS_MIGRATION,
    # The desk's views and search: queue columns, their indexes, FTS5 words
    # (storage/sqlite_desk.py).
    DESK_MIGRATION,
    # Known issues' linked tickets (storage/sqlite_known_issues.py).
    KNOWN_ISSUES_MIGRATION,
    # Lifted mail suppressions, kept with who lifted them (storage/sqlite_mail.py).
    SUPPRESSION_LIFTS_MIGRATION,
    # Erase jobs: the desk's erase action, run by the sweeper (storage/sqlite_erase_jobs.py).
    ERASE_JOBS_MIGRATION,
    # The due index in two parts, timers and retention's removals (storage/due_kinds.py).
    DUE_KINDS_MIGRATION,
    # The desk's words without per-row token counts (storage/sqlite_desk.py).
    DESK_WORDS_MIGRATION,
]


class SQLiteTooOld(RuntimeError):
    """The SQLite library Python links lacks what the store's statements use."""


# The oldest SQLite with every statement the store makes: UPDATE/INSERT ... RETURNING
# (3.35.0). A Python linked to an older library (Debian 11's is 3.34.1) fails otherwise
# with a syntax error at the first ticket or claimed mail.
SQLITE_MINIMUM = (3, 35, 0)
# Features a library of that version may be built without (JSON: built in from 3.38).
_FEATURES = (("the JSON functions (json_set, json_extract)", "SELECT json_set('{}', '$.a', 1)"),
             ("FTS5", "CREATE VIRTUAL TABLE probe USING fts5(words)"))
_LIBRARY_CHECKED = False


def check_sqlite_library() -> None:
    """Raise SQLiteTooOld, saying what is missing, unless the linked SQLite has it all
    (checked once per process, on an in-memory database)."""
    global _LIBRARY_CHECKED
    if sqlite3.sqlite_version_info < SQLITE_MINIMUM:
        raise SQLiteTooOld(
            f"the SQLite library Python uses is {sqlite3.sqlite_version}; the store needs "
            f"{'.'.join(map(str, SQLITE_MINIMUM))} or newer (a Python linked to a newer "
            f"libsqlite3)")
    if _LIBRARY_CHECKED:
        return
    probe = sqlite3.connect(":memory:")
    try:
        for feature, statement in _FEATURES:
            try:
                probe.execute(statement)
            except sqlite3.Error as exc:
                raise SQLiteTooOld(f"the SQLite library Python uses "
                                   f"({sqlite3.sqlite_version}) lacks {feature}: {exc}") from None
    finally:
        probe.close()
    _LIBRARY_CHECKED = True


class SQLiteStore(SQLiteAccounts, SQLiteMailQueue, SQLiteMailIn, SQLiteEvents, SQLiteDesk,
                  SQLiteKnownIssues, SQLiteEraseJobs):
    """A TicketStore on one SQLite file; safe to share between threads and processes.
    Accounts, sessions and the portal's ticket lists are in sqlite_accounts.py; the
    mail queue in sqlite_mail.py."""

    def __init__(self, path: str | Path, *, first_number: int = 10001):
        check_sqlite_library()
        self.path = str(path)
        self.first_number = first_number
        self._local = threading.local()
        self._write_lock = _write_lock_for(self.path)
        self._write_conn: sqlite3.Connection | None = None  # see _writer()
        self._checkpoints = checkpoints_for(self.path, self._write_lock)
        # New tickets of concurrent submissions share a transaction (sqlite_group_commit.py).
        self._group = group_commit_for(self.path)
        # The rate-limit windows' start up to which expired counters were last removed.
        self._hits_swept: datetime | None = None
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.migrate()

    # -- connection and transactions -------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, for reads."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    def _writer(self) -> sqlite3.Connection:
        """The one connection this store writes through, whichever thread writes
        (writers take turns on the file's write lock). SQLite drops a connection's
        page cache whenever another connection has written, so with each thread
        writing on its own connection, a write began by reading its pages anew
        (some 45 reads a submission when the server's threads take turns); one
        writer keeps them. An in-memory database is a database per connection:
        there the thread's own connection writes."""
        if self.path == ":memory:":
            return self._connection()
        if self._write_conn is None:
            with self._write_lock:
                if self._write_conn is None:
                    conn = self._open()
                    prepare_writer(conn)  # its batches' savepoints: no temporary files
                    self._write_conn = conn
        return self._write_conn

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer
        # takes the write lock before it reads the counter.
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        if self._checkpoints is not None:  # A thread of its own checkpoints the WAL.
            conn.execute("PRAGMA wal_autocheckpoint=0")
        return conn

    def _write(self):
        return _WriteTransaction(self._writer(), self._write_lock, self._checkpoints)

    def migrate(self) -> int:
        """Apply every migration the file has not seen; return the schema version."""
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number}")
            return len(MIGRATIONS)

    def close(self) -> None:
        """Close this thread's connection and the store's writer."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        with self._write_lock:
            if self._write_conn is not None:
                self._write_conn.close()
                self._write_conn = None

    # -- tickets -----------------------------------------------------------------------

    def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None,
                      fingerprint: str = "",
                      mails: "Callable[[Ticket], Sequence[OutgoingMail]] | None" = None,
                      hits: Sequence[HitLimit] = ()) -> tuple[Ticket, bool]:
        def work(conn: sqlite3.Connection):
            return self._create_ticket(conn, new, idempotency_key, fingerprint, mails, hits)

        if self._group is None:
            ticket, queued, _ = write_alone(self._write, work, self._index_created)
        else:
            ticket, queued, _ = self._group.run(self._write, work, self._index_created)
        self._mail_queued(queued)
        return ticket, queued is not None

    def _create_ticket(self, conn, new, idempotency_key, fingerprint, mails, hits):
        """Inside a write: the ticket, the mails queued with it and its desk words' row
        (None, None when nothing was created). The words are left to `_index_created`."""
        if idempotency_key is not None:
            row = conn.execute("SELECT fingerprint, ticket FROM idempotency_keys "
                               "WHERE key = ?", (idempotency_key,)).fetchone()
            if row is not None:
                if row["fingerprint"] != fingerprint:
                    raise IdempotencyConflict(idempotency_key)
                return self._ticket(conn, row["ticket"]), None, None
        self._count_hits(conn, hits)
        ticket = Ticket.from_new(self._next_number(conn), new)
        rec = ticket_to_record(ticket)
        conn.execute(_INSERT_TICKET, [rec[c] for c in TICKET_COLUMNS])
        first = new.first_message()
        self._insert_message(conn, ticket.number, first)
        self._insert_events(conn, [created_event(ticket, new.taken_by)])
        if idempotency_key is not None:
            conn.execute("INSERT INTO idempotency_keys VALUES (?, ?, ?)",
                         (idempotency_key, fingerprint, ticket.number))
        queued = list(mails(ticket)) if mails else []
        self._insert_mails(conn, queued)
        return ticket, queued, words_row(ticket, [first], new=True)

    def _index_created(self, conn: sqlite3.Connection, created: list) -> None:
        """After a batch's pieces, before its COMMIT: the desk words of the tickets they
        made, in one statement (sqlite_group_commit.py says why)."""
        self._index_words(conn, [row for _, _, row in created if row is not None], new=True)

    def _next_number(self, conn: sqlite3.Connection) -> int:
        # One statement: the first ticket starts the counter, every later one adds one.
        row = conn.execute("INSERT INTO counters VALUES ('ticket', ?) ON CONFLICT(name) "
                           "DO UPDATE SET value = value + 1 RETURNING value",
                           (self.first_number,)).fetchone()
        return int(row[0])

    def _insert_message(self, conn: sqlite3.Connection, number: int, message: Message) -> None:
        check_message_key(conn, number, message)
        rec = {**message_to_record(message), "ticket": number}
        rec["public"] = int(rec["public"])
        conn.execute(_insert_message_sql(tuple(rec)), list(rec.values()))

    def _ticket(self, conn: sqlite3.Connection, number: int) -> Ticket | None:
        row = conn.execute("SELECT * FROM tickets WHERE number = ?", (number,)).fetchone()
        return ticket_from_record(dict(row)) if row else None

    def get_ticket(self, number: int) -> Ticket | None:
        return self._ticket(self._connection(), number)

    def save_ticket(self, ticket: Ticket, *, expected_version: int,
                    events: Sequence[TicketEvent],
                    messages: Sequence[Message] = (),
                    mails: "Sequence[OutgoingMail]" = ()) -> Ticket:
        check_events(ticket, events)
        saved = replace(ticket, version=expected_version + 1)
        rec = ticket_to_record(saved)
        columns = [c for c in TICKET_COLUMNS if c != "number"]
        with self._write() as conn:
            changed = conn.execute(
                f"UPDATE tickets SET {', '.join(f'{c} = ?' for c in columns)} "
                "WHERE number = ? AND version = ?",
                [rec[c] for c in columns] + [ticket.number, expected_version]).rowcount
            if changed != 1:
                raise VersionConflict(ticket.number)
            for message in messages:
                self._insert_message(conn, ticket.number, message)
            self._index_words(conn, [words_row(ticket, list(messages), new=False)],
                              new=False)
            self._insert_events(conn, events)
            self._insert_mails(conn, mails)
        self._mail_queued(mails)
        return saved

    def due_tickets(self, now: datetime, limit: int = 100) -> list[Ticket]:
        return self._due(SQLITE_TIMERS_DUE, now, limit)

    def due_removals(self, now: datetime, limit: int = 100) -> list[Ticket]:
        return self._due(SQLITE_REMOVALS_DUE, now, limit)

    def _due(self, part: str, now: datetime, limit: int) -> list[Ticket]:
        # `part` repeats its partial index's condition, so SQLite searches that index.
        rows = self._connection().execute(
            f"SELECT * FROM tickets WHERE {part} AND due_at <= ? ORDER BY due_at LIMIT ?",
            (utc_iso(now), limit)).fetchall()
        return [ticket_from_record(dict(r)) for r in rows]

    def list_messages(self, number: int) -> list[Message]:
        rows = self._connection().execute(
            "SELECT * FROM messages WHERE ticket = ? ORDER BY id", (number,)).fetchall()
        return [message_from_record(dict(r)) for r in rows]

    # -- uploads ---------------------------------------------------------------------

    def create_upload(self, upload: Upload) -> None:
        rec = upload_to_record(upload)
        with self._write() as conn:
            conn.execute(f"INSERT INTO uploads ({', '.join(UPLOAD_COLUMNS)}) VALUES "
                         f"({', '.join('?' for _ in UPLOAD_COLUMNS)})",
                         [rec[c] for c in UPLOAD_COLUMNS])

    def get_upload(self, upload_id: str) -> Upload | None:
        row = self._connection().execute("SELECT * FROM uploads WHERE id = ?",
                                         (upload_id,)).fetchone()
        return upload_from_record(dict(row)) if row else None

    def mark_uploads_attached(self, upload_ids: Sequence[str], *, ticket: int,
                              claim_key: str | None = None) -> None:
        with self._write() as conn:
            conn.executemany("UPDATE uploads SET ticket = ?, claim_key = ? WHERE id = ?",
                             [(ticket, claim_key, upload_id) for upload_id in upload_ids])

    def expired_uploads(self, now: datetime, limit: int = 100) -> list[Upload]:
        rows = self._connection().execute(
            "SELECT * FROM uploads WHERE ticket IS NULL AND expires_at <= ? "
            "ORDER BY expires_at LIMIT ?", (utc_iso(now), limit)).fetchall()
        return [upload_from_record(dict(r)) for r in rows]

    def delete_upload(self, upload_id: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM uploads WHERE id = ?", (upload_id,))

    def named_blob_keys(self) -> set[str]:
        conn = self._connection()
        rows = conn.execute("SELECT attachments FROM messages WHERE attachments IS NOT NULL")
        named = {key for (text,) in rows for key in keys_in_attachments(text)}
        named.update(upload_final_key(upload_id)
                     for (upload_id,) in conn.execute("SELECT id FROM uploads"))
        return named

    # -- rate-limit counters -----------------------------------------------------------

    def count_hit(self, key: str, window_start: datetime, expires_at: datetime,
                  amount: int = 1) -> int:
        with self._write() as conn:
            return self._add_hit(conn, key, window_start, expires_at, amount)

    def _count_hits(self, conn: sqlite3.Connection, hits: Sequence[HitLimit]) -> None:
        """Inside a write: one hit on each counter, or OverLimit (the caller's
        transaction rolls back, so a refused write counts nothing). Two statements
        whatever the number of hits: the expired counters go (those of the latest
        window's start, which covers the others'), then one upsert adds every hit.
        The first only when that start moved: nothing counted since has expired by
        then (a counter is read by its own window's key, so one left over from a
        rolled-back removal is never counted again; the next window's removal takes it)."""
        if not hits:
            return
        latest = max(hit.window_start for hit in hits)
        if latest != self._hits_swept:
            conn.execute("DELETE FROM hit_counters WHERE expires_at < ?", (iso(latest),))
            self._hits_swept = latest
        keys = [f"{hit.key}@{iso(hit.window_start)}" for hit in hits]
        counts = dict(conn.execute(
            "INSERT INTO hit_counters VALUES " + ", ".join(["(?, ?, ?)"] * len(hits))
            + " ON CONFLICT(key) DO UPDATE SET count = count + excluded.count "
            "RETURNING key, count",
            [v for key, hit in zip(keys, hits) for v in (key, 1, iso(hit.expires_at))]
        ).fetchall())
        for key, hit in zip(keys, hits):
            if counts[key] > hit.limit:
                raise OverLimit(hit)

    @staticmethod
    def _add_hit(conn: sqlite3.Connection, key: str, window_start: datetime,
                 expires_at: datetime, amount: int) -> int:
        window_key = f"{key}@{iso(window_start)}"
        conn.execute("DELETE FROM hit_counters WHERE expires_at < ?", (iso(window_start),))
        row = conn.execute(
            "INSERT INTO hit_counters VALUES (?, ?, ?) ON CONFLICT(key) "
            "DO UPDATE SET count = count + excluded.count RETURNING count",
            (window_key, amount, iso(expires_at))).fetchone()
        return int(row[0])


_INSERT_TICKET = (f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) VALUES "
                  f"({', '.join('?' for _ in TICKET_COLUMNS)})")


@lru_cache(maxsize=16)
def _insert_message_sql(columns: tuple[str, ...]) -> str:
    """The INSERT of a message record with these columns (a few sets: with or without
    attachments, with or without an idempotency key)."""
    return (f"INSERT INTO messages ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})")


def _statements(script: str) -> list[str]:
    """The script's statements. A trigger's body holds semicolons of its own, so pieces
    join until SQLite calls the statement complete."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements


# One lock per database file for every store and thread of this process. SQLite's own
# lock makes a second writer sleep in its busy handler (1, 2, 5, 10 ... ms between
# retries), which is what made p99 grow under concurrent submissions; writers of one
# process queue on this lock instead and wake the moment the writer before them
# commits. busy_timeout still covers writers in other processes (CLI, a sweeper).
_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock_for(path: str) -> threading.RLock:
    if path == ":memory:":  # A new database for each connection: nothing to share.
        return threading.RLock()
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(os.path.realpath(path), threading.RLock())


class _WriteTransaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error, so nothing is half-written.
    Holds the file's in-process write lock from before BEGIN until after the end, so
    keep the work inside short: build records before, send nothing inside."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock,
                 checkpoints: Checkpoints | None = None):
        self.conn = conn
        self.lock = lock
        self.checkpoints = checkpoints

    def __enter__(self) -> sqlite3.Connection:
        self.lock.acquire()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type:
                self._roll_back()
                return
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (a deferred constraint, a full disk) can leave the
                # transaction open; on the store's one writer that would refuse every
                # later write of the process.
                self._roll_back()
                raise
            if self.checkpoints is not None:
                self.checkpoints.committed()
        finally:
            self.lock.release()

    def _roll_back(self) -> None:
        # SQLite rolls some errors back itself (SQLITE_FULL, SQLITE_IOERR): then a
        # ROLLBACK would fail and hide the error that did it.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
