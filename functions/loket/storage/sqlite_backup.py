"""An online copy of the SQLite store, taken while the server runs and writes.

SQLite's backup API copies the file page by page. Done naively, every write by
another connection restarts the copy, so a busy server could keep it from ever
finishing. Holding one read transaction on the source for the whole copy avoids
that: in WAL mode a reader sees one snapshot and never blocks writers, so the copy
is exactly the database as it was when the transaction began, and writers go on.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


class BackupRefused(Exception):
    """The copy was not made (a clear message, no half-written file)."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    tickets: int

    def summary(self) -> str:
        return (f"{self.path}: {self.size:,} bytes, {self.tickets} "
                f"ticket{'' if self.tickets == 1 else 's'}")


def backup_sqlite(source: str | Path, target: str | Path, *, force: bool = False,
                  pages: int = 256, progress: Callable[[int, int, int], object] | None = None,
                  ) -> BackupReport:
    """Copy the store at `source` to `target` consistently; `pages` at a time, calling
    `progress(status, remaining, total)` after each step as sqlite3's backup does.

    The copy is written beside `target` and renamed over it only when complete and
    checked, so a crash or a full disk never leaves a half copy under the name.
    """
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise BackupRefused(f"{source}: no SQLite store here")
    if target.exists() and not force:
        raise BackupRefused(f"{target}: exists already (use --force to replace it)")
    if target.resolve() == source.resolve():
        raise BackupRefused(f"{target}: is the store itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        tickets = _copy(source, partial, pages, progress)
        _check(partial)
        _flush(partial)
        os.replace(partial, target)
    finally:
        for leftover in (partial, Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)
    return BackupReport(target, target.stat().st_size, tickets)


def _copy(source: Path, partial: Path, pages: int, progress) -> int:
    """Copy one snapshot of `source`; return how many tickets it holds."""
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, isolation_level=None, timeout=30)
    dst = sqlite3.connect(partial, isolation_level=None)
    try:
        # The backup never changes the live store. (Not `mode=ro`: a read-only
        # connection cannot open a WAL file whose -shm the server has not made yet.)
        src.execute("PRAGMA query_only=ON")
        src.execute("BEGIN")
        # The first read fixes the snapshot that every page of the copy comes from.
        tickets = _ticket_count(src)
        src.backup(dst, pages=pages, progress=progress)
        src.execute("COMMIT")
        # A copy needs no WAL beside it: one self-contained file (the server turns
        # WAL on again when it opens a restored copy).
        dst.execute("PRAGMA journal_mode=DELETE")
        return tickets
    finally:
        dst.close()
        src.close()


def _ticket_count(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"not a Loket store: {exc}") from None


def _check(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        raise BackupRefused(f"the copy failed its integrity check: {result}")


def _flush(path: Path) -> None:
    """On disk before the rename, so the name never points at a copy still in cache."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def restore_sqlite(backup: str | Path, store: str | Path, *, latest_schema: int) -> Path | None:
    """Put the copy `backup` in the place of the store at `store` (the server stopped).

    The backup is checked first (whole, a Loket store, a schema this version knows);
    the store it replaces and its -wal/-shm files are moved aside, not deleted, and
    that folder is returned (None when there was no store).
    """
    backup, store = Path(backup), Path(store)
    if not backup.is_file():
        raise BackupRefused(f"{backup}: no such file")
    _check_restorable(backup, latest_schema)
    store.parent.mkdir(parents=True, exist_ok=True)
    partial = store.with_name(f".{store.name}.restoring")
    try:
        shutil.copyfile(backup, partial)  # in chunks: a store may be larger than memory
        _flush(partial)
        aside = _move_aside(store)
        os.replace(partial, store)
    finally:
        partial.unlink(missing_ok=True)
    return aside


def _check_restorable(backup: Path, latest_schema: int) -> None:
    try:
        _check(backup)
        conn = sqlite3.connect(backup)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            _ticket_count(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"{backup}: not a SQLite store: {exc}") from None
    if not 1 <= version <= latest_schema:
        raise BackupRefused(f"{backup}: schema version {version}; this Loket knows "
                            f"1 to {latest_schema}")


def _move_aside(store: Path) -> Path | None:
    files = [p for p in (store, Path(f"{store}-wal"), Path(f"{store}-shm")) if p.exists()]
    if not files:
        return None
    from datetime import datetime, timezone

    aside = store.with_name(f"replaced-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}")
    aside.mkdir()
    for path in files:
        os.replace(path, aside / path.name)
    return aside
