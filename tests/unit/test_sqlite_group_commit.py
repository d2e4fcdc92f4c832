"""New tickets of concurrent writers share one transaction (storage/sqlite_group_commit.py):
each writer gets its own result or error, one piece failing rolls back that piece
alone, and nobody is told of a success that was not committed."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from loket.domain.errors import IdempotencyConflict
from loket.domain.limits import OverLimit
from loket.storage.desk_queries import TicketSearch
from loket.storage.sqlite import SQLiteStore
from loket.storage.sqlite_group_commit import _Piece, _write_batch, group_commit_for
from tests.contract.test_store_contract import new_ticket
from tests.contract.test_submission_limits_contract import counted, hits, receipt


def creating(store: SQLiteStore, subject: str, **options) -> _Piece:
    """A piece that stores a new ticket, as create_ticket hands it to the group."""
    args = dict(idempotency_key=None, fingerprint="", mails=None, hits=())
    args.update(options)
    return _Piece(lambda conn: store._create_ticket(conn, new_ticket(subject), **args))


def subjects(store: SQLiteStore) -> list[str]:
    rows = store._connection().execute("SELECT subject FROM tickets ORDER BY number")
    return [row[0] for row in rows]


def test_a_failing_piece_rolls_back_alone_and_the_others_are_committed(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    limit = hits(per_hour=1)
    store.create_ticket(new_ticket("Earlier"), idempotency_key="k", fingerprint="a",
                        hits=limit)
    batch = [creating(store, "First"),
             creating(store, "Over the limit", hits=limit),  # counts, then is refused
             creating(store, "Conflict", idempotency_key="k", fingerprint="b"),
             creating(store, "Last")]
    _write_batch(store._write, batch, store._index_created)
    assert all(piece.done for piece in batch)
    first, over, conflict, last = batch
    assert first.outcome()[0].number == 10002 and last.outcome()[0].number == 10003
    with pytest.raises(OverLimit):
        over.outcome()
    with pytest.raises(IdempotencyConflict):
        conflict.outcome()
    assert subjects(store) == ["Earlier", "First", "Last"]
    # The refused piece's hits were rolled back with it: only the earlier one counts.
    assert [counted(store, hit) for hit in limit] == [1, 1]
    assert [e.ticket for n in (10002, 10003) for e in store.list_events(n)] == [10002, 10003]


def test_a_failed_commit_fails_every_piece_and_writes_nothing(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")

    @contextmanager
    def failing_commit():
        with store._write() as conn:
            yield conn
            raise sqlite3.OperationalError("disk I/O error")  # in place of COMMIT's

    batch = [creating(store, "One"), creating(store, "Two")]
    _write_batch(failing_commit, batch, store._index_created)
    for piece in batch:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            piece.outcome()
    assert subjects(store) == []
    # The lock and the connection are free for the next writer.
    assert store.create_ticket(new_ticket("After"))[0].number == 10001


def test_a_piece_whose_error_rolled_back_the_whole_transaction_fails_all_with_its_cause(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")

    def disk_full(conn):
        conn.execute("ROLLBACK")  # what SQLite does itself on SQLITE_FULL or SQLITE_IOERR
        raise sqlite3.OperationalError("database or disk is full")

    batch = [creating(store, "First"), _Piece(disk_full), creating(store, "Last")]
    _write_batch(store._write, batch, store._index_created)
    for piece in batch:  # the cause, never the rerun's "no such savepoint"
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            piece.outcome()
    assert subjects(store) == []
    assert store.create_ticket(new_ticket("After"))[0].number == 10001


def test_a_lone_piece_runs_as_a_plain_transaction(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    statements = []
    store._writer().set_trace_callback(statements.append)
    batch = [creating(store, "Alone", hits=hits(per_hour=0))]
    _write_batch(store._write, batch, store._index_created)
    with pytest.raises(OverLimit):
        batch[0].outcome()
    assert not [s for s in statements if "SAVEPOINT" in s]
    assert statements[0] == "BEGIN IMMEDIATE" and statements[-1] == "ROLLBACK"
    assert subjects(store) == []


def test_the_writer_keeps_savepoint_journals_in_memory(tmp_path):
    # A piece's sub-journal (some 112 KiB) spilled to a temporary file past 64 KiB.
    store = SQLiteStore(tmp_path / "loket.db")
    assert store._writer().execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    batch = [creating(store, "One"), creating(store, "Two")]
    _write_batch(store._write, batch, store._index_created)
    assert [piece.outcome()[0].number for piece in batch] == [10001, 10002]


def test_concurrent_submissions_each_get_their_own_outcome(tmp_path):
    # Two stores on one file share the group, as two app instances of one process.
    stores = [SQLiteStore(tmp_path / "loket.db"), SQLiteStore(tmp_path / "." / "loket.db")]
    assert group_commit_for(stores[0].path) is group_commit_for(stores[1].path)
    limit = hits(per_hour=150)

    def submit(i: int):
        try:
            ticket, created = stores[i % 2].create_ticket(
                new_ticket(f"Ticket {i}"), idempotency_key=f"key-{i % 180}",
                fingerprint=f"body-{i}", hits=limit)
        except (OverLimit, IdempotencyConflict) as refused:
            return i, type(refused).__name__
        return i, ticket.number

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = dict(pool.map(submit, range(200)))
    stored = {n: s for n, s in stores[0]._connection().execute(
        "SELECT number, subject FROM tickets")}
    acknowledged = {n: f"Ticket {i}" for i, n in outcomes.items() if isinstance(n, int)}
    # Every acknowledged ticket is stored with its own subject, and nothing else is.
    assert stored == acknowledged
    assert sorted(stored) == list(range(10001, 10001 + len(stored)))
    # 150 under the limit; of the other 50, the 20 reusing a key are conflicts
    # (each with its own body) when their key was stored first, else over the limit.
    assert len(stored) == 150
    assert counted(stores[0], limit[0]) == 150
    refused = [o for o in outcomes.values() if not isinstance(o, int)]
    assert len(refused) == 50 and set(refused) <= {"OverLimit", "IdempotencyConflict"}


def traced(store: SQLiteStore) -> list[str]:
    """The statements the store's writer runs from now on."""
    statements: list[str] = []
    store._writer().set_trace_callback(statements.append)
    return statements


def transaction_statements(statements: list[str]) -> list[str]:
    return [s for s in statements
            if s.split()[0] in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")]


def test_a_batch_that_nothing_refuses_runs_once_without_savepoints(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    statements = traced(store)
    batch = [creating(store, f"Ticket {i}", hits=hits(per_hour=5)) for i in range(3)]
    batch.append(creating(store, "Retry", idempotency_key="k", fingerprint="a"))
    batch.append(creating(store, "Retry", idempotency_key="k", fingerprint="a"))
    _write_batch(store._write, batch, store._index_created)
    assert transaction_statements(statements) == ["BEGIN IMMEDIATE", "COMMIT"]
    assert [piece.outcome()[0].number for piece in batch] == [10001, 10002, 10003, 10004, 10004]
    # The retry within the batch found the ticket of the first request with its key.
    assert [piece.outcome()[1] is None for piece in batch[3:]] == [False, True]
    assert subjects(store) == ["Ticket 0", "Ticket 1", "Ticket 2", "Retry"]


def test_a_refused_piece_makes_the_batch_run_again_with_a_savepoint_each(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    statements = traced(store)
    batch = [creating(store, "First"), creating(store, "Refused", hits=hits(per_hour=0)),
             creating(store, "Last")]
    _write_batch(store._write, batch, store._index_created)
    kept, refused, undone = ["SAVEPOINT piece", "RELEASE piece"], \
        ["SAVEPOINT piece", "ROLLBACK TO piece", "RELEASE piece"], ["ROLLBACK"]
    assert transaction_statements(statements) == [
        "BEGIN IMMEDIATE", *undone, "BEGIN IMMEDIATE", *kept, *refused, *kept, "COMMIT"]
    with pytest.raises(OverLimit):
        batch[1].outcome()
    assert [batch[0].outcome()[0].number, batch[2].outcome()[0].number] == [10001, 10002]
    assert subjects(store) == ["First", "Last"]


def test_a_piece_that_fails_unexpectedly_leaves_nothing_and_the_others_their_mails(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    given: list[int] = []  # the ticket number each call of the mails callback was given

    def mails(ticket):
        given.append(ticket.number)
        return receipt(ticket)

    def broken(ticket):  # After the ticket's rows were written.
        raise RuntimeError("no template for the receipt")

    batch = [creating(store, "First", mails=mails), creating(store, "Broken", mails=broken),
             creating(store, "Last", mails=mails)]
    _write_batch(store._write, batch, store._index_created)
    with pytest.raises(RuntimeError, match="no template"):
        batch[1].outcome()
    first, last = batch[0].outcome()[0], batch[2].outcome()[0]
    assert [first.number, last.number] == [10001, 10002]
    # The first run made First's mails, then was rolled back; the second made them anew,
    # and Last's for the number it has in the run that was committed.
    assert given == [10001, 10001, 10002]
    conn = store._connection()
    assert subjects(store) == ["First", "Last"]
    assert [row[0] for row in conn.execute(
        "SELECT ticket FROM mail_queue ORDER BY ticket")] == [10001, 10002]
    assert [row[0] for row in conn.execute("SELECT rowid FROM ticket_words")] == [10001, 10002]
    assert [row[0] for row in conn.execute(
        "SELECT rowid FROM ticket_words WHERE ticket_words MATCH 'broken OR last'")] == [10002]
    assert [row[0] for row in conn.execute("SELECT ticket FROM messages ORDER BY id")] == \
        [10001, 10002]
    assert [e.ticket for n in (10001, 10002, 10003) for e in store.list_events(n)] == \
        [10001, 10002]


def found(store: SQLiteStore, word: str) -> list[int]:
    """The tickets the desk's search finds by `word`."""
    search = TicketSearch(products=frozenset({"planner"}), words=(word,))
    return [ticket.number for ticket in store.search_tickets(search)]


def words_statements_last(statements: list[str], count: int) -> bool:
    """The batch's `count` words rows were its last statements before COMMIT (FTS5's
    own statements, on its tables as 'main'.'ticket_words_...', left out)."""
    statements = [s for s in statements if "'main'." not in s]
    words = [i for i, s in enumerate(statements) if "ticket_words" in s]
    return (statements[-1] == "COMMIT"
            and words == list(range(len(statements) - 1 - count, len(statements) - 1)))


def segments(store: SQLiteStore) -> int:
    # ticket_words_data holds FTS5's structure and averages records and the segments'
    # pages: one page for each of these small segments.
    return store._connection().execute("SELECT count(*) FROM ticket_words_data").fetchone()[0] - 2


def test_a_batch_indexes_its_tickets_words_last_in_one_segment(tmp_path):
    # Written within each piece, the next piece's hits upsert made FTS5 write the
    # words out: a segment per ticket.
    store = SQLiteStore(tmp_path / "loket.db")
    statements = traced(store)
    names = ["apple", "banana", "cherry", "damson"]
    batch = [creating(store, f"Broken {name}", hits=hits(per_hour=5)) for name in names]
    _write_batch(store._write, batch, store._index_created)
    assert transaction_statements(statements) == ["BEGIN IMMEDIATE", "COMMIT"]
    assert words_statements_last(statements, 4)
    assert segments(store) == 1
    assert [found(store, name) for name in names] == [[10001], [10002], [10003], [10004]]
    assert found(store, "broken") == [10004, 10003, 10002, 10001]


def test_a_refused_piece_s_words_are_not_indexed_and_the_others_are(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    statements = traced(store)
    batch = [creating(store, "First apple"), creating(store, "Refused banana",
                                                      hits=hits(per_hour=0)),
             creating(store, "Last cherry")]
    _write_batch(store._write, batch, store._index_created)
    with pytest.raises(OverLimit):
        batch[1].outcome()
    # The rerun with a savepoint each: the words of the two kept, after the last RELEASE.
    assert transaction_statements(statements)[-2:] == ["RELEASE piece", "COMMIT"]
    assert words_statements_last(statements, 2)
    assert [found(store, w) for w in ("apple", "banana", "cherry")] == [[10001], [], [10002]]


def test_a_failing_words_write_fails_the_whole_batch_and_writes_nothing(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    with store._write() as conn:  # a stray words row where the second ticket's goes
        conn.execute("INSERT INTO ticket_words (rowid, words) VALUES (10002, 'stray')")
    batch = [creating(store, "One", mails=receipt), creating(store, "Two", mails=receipt),
             creating(store, "Three", mails=receipt)]
    _write_batch(store._write, batch, store._index_created)
    for piece in batch:
        with pytest.raises(sqlite3.IntegrityError):
            piece.outcome()
    conn = store._connection()
    assert subjects(store) == []
    assert [row[0] for row in conn.execute("SELECT rowid FROM ticket_words")] == [10002]
    for table in ("messages", "ticket_events", "mail_queue"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    # The lock and the connection are free for the next writer.
    assert store.create_ticket(new_ticket("After"))[0].number == 10001
