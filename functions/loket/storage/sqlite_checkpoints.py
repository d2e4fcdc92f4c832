"""Checkpoints of SQLite's write-ahead log, off the writers' path.

SQLite copies the WAL back into the database file (a checkpoint, with an fsync of each
file) inside the COMMIT that takes the WAL past 1,000 pages: with the in-process write
lock held, every writer queued behind that commit waited for two fsyncs, which set the
tail of concurrent submissions. So the store's connections turn that off
(wal_autocheckpoint=0) and report their commits here; after every `EVERY` commits a
daemon thread runs a PASSIVE checkpoint on a connection of its own, which waits for no
reader or writer, while Python's sqlite3 lets the other threads run (it releases the
GIL around SQLite's work). SQLite starts the WAL file over only when a writer begins
with every page of it checkpointed: a quiet moment does that, but a server that never
has one would see its WAL grow without end, so once the WAL holds more than
`RESTART_PAGES` the thread checkpoints again, holding the write lock, the few pages
committed meanwhile (its fsyncs are then the only ones writers wait for, and rarely).
The last connection to close checkpoints what is left, as SQLite always does, so a
short CLI run leaves no WAL behind.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

log = logging.getLogger(__name__)
# About 1,000 pages of WAL at the ~10 pages a submission writes: SQLite's own default.
EVERY = 100
# 16 MB of WAL: past this, the next checkpoint makes sure the WAL starts over.
RESTART_PAGES = 4000


class Checkpoints:
    """The commits to one database file since its last checkpoint."""

    def __init__(self, path: str, write_lock):
        self.path = path
        self.write_lock = write_lock
        self.commits = 0
        self.connection: sqlite3.Connection | None = None

    def committed(self) -> None:
        """Called after each COMMIT (under the write lock, so the count is exact)."""
        self.commits += 1
        if self.commits >= EVERY:
            self.commits = 0
            _worker.due(self)

    def run(self) -> None:
        if self.connection is None:
            # Kept open: closing the last connection of a file runs a checkpoint with
            # an exclusive lock, which a writer of this process must never meet.
            self.connection = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                              check_same_thread=False)
        _, pages, _ = self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if pages > RESTART_PAGES:
            with self.write_lock:  # What was committed meanwhile: the WAL starts over.
                self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


class _Worker:
    """One daemon thread for every database file of the process, started when the
    first checkpoint is due."""

    def __init__(self):
        self._lock = threading.Lock()
        self._due: list[Checkpoints] = []
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def due(self, checkpoints: Checkpoints) -> None:
        with self._lock:
            if checkpoints not in self._due:
                self._due.append(checkpoints)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="loket-checkpoints",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                due, self._due = self._due, []
            for checkpoints in due:
                try:
                    checkpoints.run()
                except sqlite3.Error:  # Tried again after the next EVERY commits.
                    log.exception("checkpoint of %s failed", checkpoints.path)


_worker = _Worker()
_BY_PATH: dict[str, Checkpoints] = {}
_BY_PATH_GUARD = threading.Lock()


def checkpoints_for(path: str, write_lock) -> Checkpoints | None:
    """The file's one Checkpoints in this process (`write_lock`: the file's in-process
    write lock); None for an in-memory database."""
    if path == ":memory:":
        return None
    real = os.path.realpath(path)
    with _BY_PATH_GUARD:
        if real not in _BY_PATH:
            _BY_PATH[real] = Checkpoints(real, write_lock)
        return _BY_PATH[real]
