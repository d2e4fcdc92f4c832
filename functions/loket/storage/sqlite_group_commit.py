"""Group commit: the new tickets of concurrent submissions written in one transaction.

Writers of one process take turns on the file's write lock (storage/sqlite.py), and a
submission's write is some ten short statements and a COMMIT that writes about 28 pages
to the WAL (a quarter of them the desk's FTS5 words), most of them pages the next
submission writes again (the last leaf of each index). Under load each of those
statements also lets other threads take the GIL, so the writer holding the lock waits
for it again and again while the writers queued behind it wait for the lock.

So a writer does not queue on the lock alone: it puts its work (a function of the
connection) in the file's queue. A writer that finds no batch being written leads:
it takes everything queued, runs the pieces one after another in one transaction and
commits once; the others wait for it and get their own result or exception. Nobody is
told of a success before the COMMIT: if it fails, every piece of the batch fails with
it, and nothing of any was written. With one writer at a time the batch holds its one
piece and runs as a plain transaction, as before. A batch of eight writes about 3.5 WAL
pages a ticket instead of 22-28 (`bench/submit_load.py --variant no-group` measures the
difference through a server).

A piece that fails (over a limit, an idempotency conflict) must leave nothing of itself
while the others are committed. Refusals are rare, and a SAVEPOINT per piece is not
cheap (under load its RELEASE alone took two thirds of the CPU of the ticket's INSERT), so
the pieces run without one first. When one of several raises, that transaction rolls
back whole and the batch runs again, each piece in a SAVEPOINT of its own, which ROLLBACK
TO undoes alone. A piece's work may so run twice: it must keep nothing outside the
transaction that its rollback makes wrong (SQLiteStore._create_ticket makes its mails
anew for the ticket of the second run; its note of swept hit counters holds after a
rollback, see _count_hits).

After the pieces, a batch-level `finish(conn, results)` runs in the same transaction with
the results of the pieces that succeeded, just before COMMIT; if it raises, the batch
fails as if its COMMIT had (nothing written, every piece gets the error). The store
writes the new tickets' desk words there, in one statement: FTS5 keeps a transaction's
new terms in memory until a statement opens a statement savepoint (a multi-row upsert,
the next piece's rate-limit hits), which makes it write them out as a segment of their
own. Written inside each piece, a batch's tickets made a segment each (and FTS5 merged
them again soon after); written last, they make one. A writer alone (and an in-memory
database, `write_alone`) takes the same path, as a batch of one.

A SAVEPOINT keeps the pages its piece changes in a sub-journal, so that ROLLBACK TO can
undo them. SQLite keeps a sub-journal in memory only up to 64 KiB unless the connection
keeps temporary storage in memory, and a new ticket changes some 28 pages (112 KiB):
every piece of a batch made, wrote (some 30 pwrites) and deleted a temporary file, half
the server's file writes under load. So the writer's connection keeps it in memory
(`prepare_writer`); a batch's sub-journals hold at most a few MiB.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import AbstractContextManager
from typing import Any, Callable

Work = Callable[[sqlite3.Connection], Any]
Finish = Callable[[sqlite3.Connection, list[Any]], None]


def prepare_writer(conn: sqlite3.Connection) -> None:
    """Sub-journals (and any temporary table) of the connection that runs batches kept
    in memory, not in temporary files."""
    conn.execute("PRAGMA temp_store=MEMORY")


class _Piece:
    """One writer's work and, once its batch is over, what came of it."""

    __slots__ = ("work", "done", "result", "error")

    def __init__(self, work: Work):
        self.work = work
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class GroupCommit:
    """The queue of one database file's grouped writes in this process."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._queued: list[_Piece] = []
        self._leading = False

    def run(self, transaction: Callable[[], AbstractContextManager[sqlite3.Connection]],
            work: Work, finish: Finish) -> Any:
        """`work(conn)` inside a write transaction, maybe with other writers' work, then
        `finish`; its result once committed, or its exception (nothing of it written).
        The batch's leader brings the transaction and the finish for all: every writer
        of a file gives the same ones."""
        piece = _Piece(work)
        with self._cond:
            self._queued.append(piece)
            while self._leading and not piece.done:
                self._cond.wait()
            if piece.done:
                return piece.outcome()
            self._leading = True
            batch, self._queued = self._queued, []
        try:
            _write_batch(transaction, batch, finish)
        finally:
            with self._cond:
                self._leading = False
                self._cond.notify_all()
        return piece.outcome()


def write_alone(transaction, work: Work, finish: Finish) -> Any:
    """`work(conn)` and `finish` in a transaction of their own: a batch of one."""
    piece = _Piece(work)
    _write_batch(transaction, [piece], finish)
    return piece.outcome()


def _write_batch(transaction, batch: list[_Piece], finish: Finish) -> None:
    """Every piece in one transaction, then `finish` with the results of those that
    succeeded; the outcomes are given out only after COMMIT. The pieces run one after
    another, directly; when one of several raises, that transaction rolls back and the
    batch runs again with a savepoint per piece."""
    if not _run_batch(transaction, batch, finish, savepoints=False):
        _run_batch(transaction, batch, finish, savepoints=True)


def _run_batch(transaction, batch: list[_Piece], finish: Finish, *, savepoints: bool) -> bool:
    """One transaction of the batch, and the outcomes given out; False instead (nothing
    written, nothing given out) when a piece of several raised outside a savepoint."""
    results: list[tuple[_Piece, Any, BaseException | None]] = []
    try:
        with transaction() as conn:
            for piece in batch:
                if savepoints:
                    results.append((piece, *_in_savepoint(conn, piece.work)))
                    continue
                try:
                    results.append((piece, piece.work(conn), None))
                except Exception as exc:  # Rolls the transaction back.
                    results.append((piece, None, exc))
                    raise
            finish(conn, [result for _, result, error in results if error is None])
    except BaseException as exc:
        if not savepoints and len(batch) > 1 and results and results[-1][2] is not None:
            return False
        # A lone piece's error, or a failed BEGIN, finish or COMMIT: nothing of the
        # batch was written. A piece keeps its own error; the others get the transaction's.
        own = {id(piece): error for piece, _, error in results if error is not None}
        for piece in batch:
            piece.error = own.get(id(piece), exc)
            piece.done = True
        if not isinstance(exc, Exception):
            raise
        return True
    for piece, result, error in results:
        piece.result, piece.error, piece.done = result, error, True
    return True


def _in_savepoint(conn: sqlite3.Connection, work: Work) -> tuple[Any, Exception | None]:
    conn.execute("SAVEPOINT piece")
    try:
        result = work(conn)
    except Exception as exc:
        if not conn.in_transaction:
            # SQLite rolled the whole transaction back itself (a full disk, an I/O
            # error): no savepoint is left to return to, and nothing of the batch is
            # written. Every piece fails with this cause, not with "no such savepoint".
            raise
        conn.execute("ROLLBACK TO piece")
        conn.execute("RELEASE piece")
        return None, exc
    conn.execute("RELEASE piece")
    return result, None


_BY_PATH: dict[str, GroupCommit] = {}
_BY_PATH_GUARD = threading.Lock()


def group_commit_for(path: str) -> GroupCommit | None:
    """The file's one GroupCommit in this process; None for an in-memory database
    (each connection is a database of its own: another thread's work cannot run on it)."""
    if path == ":memory:":
        return None
    real = os.path.realpath(path)
    with _BY_PATH_GUARD:
        return _BY_PATH.setdefault(real, GroupCommit())
