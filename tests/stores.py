"""Factories for every store adapter; the contract suite runs against each of them."""

from __future__ import annotations

from pathlib import Path

STORE_KINDS = ["sqlite"]


def make_store(kind: str, tmp_path: Path, **options):
    if kind == "sqlite":
        from loket.storage.sqlite import SQLiteStore

        return SQLiteStore(tmp_path / "loket.db", **options)
    raise ValueError(f"unknown store kind {kind!r}")
