"""A store that dies at its write number n + 1, the writes before it done, for the
crash tests: on DynamoDB a request (before it is sent), on SQLite a write transaction
(after its work, before its COMMIT, through the store's _write, which every adapter
writes through: it rolls back)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

DYNAMODB_WRITES = ("BatchWriteItem", "TransactWriteItems", "PutItem", "DeleteItem",
                   "UpdateItem")


class Crash(Exception):
    """The process dies here."""


class CrashingWrites:
    """While on, the store dies at its write number `writes` + 1 of those `counted`
    (all by default). `attempted` counts them."""

    def __init__(self, store, monkeypatch, *, counted: Callable[[], bool] = lambda: True):
        self.writes, self.attempted, self.counted = 10**9, 0, counted
        if store.__class__.__name__ == "DynamoDBStore":
            store.client.meta.events.register("before-parameter-build.dynamodb",
                                              self._request)
            return
        real_write = store._write

        @contextmanager
        def write():
            with real_write() as conn:
                yield conn
                self._write()

        monkeypatch.setattr(store, "_write", write)

    def _request(self, model, **_):
        if model.name in DYNAMODB_WRITES:
            self._write()

    def _write(self):
        if not self.counted():
            return
        self.attempted += 1
        if self.attempted > self.writes:
            raise Crash(f"after {self.writes} writes")

    def after(self, writes: int | None) -> None:
        """Die after `writes` writes from now (None: never)."""
        self.writes, self.attempted = (10**9 if writes is None else writes), 0
