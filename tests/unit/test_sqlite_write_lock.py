"""SQLite writers of one process queue on one in-process lock per database file, so
none of them ever waits in SQLite's busy handler (whose sleeps made the tail of
concurrent submissions); busy_timeout is left for writers in other processes."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from loket.domain.errors import IdempotencyConflict
from loket.storage.sqlite import SQLiteStore
from tests.contract.test_store_contract import new_ticket
from tests.stores import save_audited


def without_busy_handler(store: SQLiteStore) -> SQLiteStore:
    """The store's writer gives up at once when the file is locked: any wait for
    another writer of this process would be an OperationalError."""
    store._writer().execute("PRAGMA busy_timeout=0")
    return store


def test_concurrent_writers_of_one_process_never_meet_sqlite_s_lock(tmp_path):
    # Two stores on one file, as two app instances (or the sweeper) of one process.
    stores = [SQLiteStore(tmp_path / "loket.db"), SQLiteStore(tmp_path / "." / "loket.db")]

    def submit(i: int) -> int:
        store = without_busy_handler(stores[i % 2])
        ticket, _ = store.create_ticket(new_ticket(f"Ticket {i}"))
        save_audited(store, replace(ticket, status="pending"), expected_version=ticket.version)
        return ticket.number

    with ThreadPoolExecutor(max_workers=16) as pool:
        numbers = sorted(pool.map(submit, range(200)))
    assert numbers == list(range(10001, 10201))


def test_a_failed_write_lets_the_next_writer_in(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    store.create_ticket(new_ticket(), idempotency_key="k", fingerprint="a")
    with pytest.raises(IdempotencyConflict):
        store.create_ticket(new_ticket(), idempotency_key="k", fingerprint="b")
    results = []
    other = threading.Thread(target=lambda: results.append(
        without_busy_handler(store).create_ticket(new_ticket("Next"))[0].number))
    other.start()
    other.join(timeout=30)
    assert results == [10002]


def test_a_writer_of_another_process_is_left_to_sqlite_s_own_lock(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    # A connection of its own (the CLI, a sweeper in another process) holding the
    # write lock: the in-process lock knows nothing of it, SQLite's lock (and with it
    # busy_timeout, set to 0 here to see it) decides...
    outsider = sqlite3.connect(tmp_path / "loket.db", isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    store._writer().execute("PRAGMA busy_timeout=0")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        store.create_ticket(new_ticket())
    outsider.execute("ROLLBACK")
    # ...and a failed BEGIN leaves the in-process lock free for the next writer.
    assert store.create_ticket(new_ticket())[0].number == 10001
    outsider.close()


def test_every_thread_writes_through_the_store_s_one_connection(tmp_path):
    """A connection drops its page cache whenever another one wrote: the threads of a
    server write through one connection, whose cache stays warm."""
    store = SQLiteStore(tmp_path / "loket.db")
    statements: list[str] = []
    store._writer().set_trace_callback(statements.append)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: store.create_ticket(new_ticket(f"Ticket {i}")), range(20)))
    assert len([s for s in statements if s.startswith("INSERT INTO tickets ")]) == 20
    store.close()  # Closes the writer too; the next write opens another.
    assert store.create_ticket(new_ticket("After close"))[0].number == 10021


def test_a_failed_commit_leaves_the_shared_writer_usable(tmp_path):
    """Every thread writes through one connection: a COMMIT that fails (a deferred
    constraint here; a full disk or an I/O error in production) must not leave that
    connection inside its transaction, or every later write of the process fails with
    'cannot start a transaction within a transaction' (and the file stays locked)."""
    store = SQLiteStore(tmp_path / "loket.db")
    store.migrate()
    with pytest.raises(sqlite3.IntegrityError):
        with store._write() as conn:
            conn.execute("PRAGMA defer_foreign_keys=ON")  # checked at COMMIT
            conn.execute("INSERT INTO messages (ticket, author, role, body, created_at, "
                         "public) VALUES (404, 'a', 'customer', 'b', '2026-01-01', 1)")
    assert not store._writer().in_transaction
    assert store.create_ticket(new_ticket())[0].number == 10001
    assert store.list_messages(404) == []
