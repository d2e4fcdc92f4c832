"""An erasure that dies at any of its writes, on SQLite and DynamoDB, loses no record
of someone else that it rewrites: here the record of a suppression's lift, which has
no key of its own (rewritten as the old record out, the new one in). After each crash
the lift is there once, as it was or rewritten, and the erasure run again from the
start keeps it, without the person."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from loket.domain.outgoing import Suppression
from loket.services.erase import erase_person
from loket.storage.data_port import data_port
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_mail_queue_contract import T0
from tests.sample_data import fill

DYNAMODB_WRITES = ("BatchWriteItem", "TransactWriteItems", "PutItem", "DeleteItem",
                   "UpdateItem")


class Crash(Exception):
    """The process dies here."""


class CrashingWrites:
    """While on, the store dies at its write number `writes` + 1, the writes before it
    done: on DynamoDB a request (before it is sent), on SQLite a write transaction
    (after its work, before its COMMIT: it rolls back). `attempted` counts them."""

    def __init__(self, store, monkeypatch):
        self.writes, self.attempted = 10**9, 0
        if store.__class__.__name__ == "DynamoDBStore":
            def request(model, **_):
                if model.name in DYNAMODB_WRITES:
                    self._write()

            store.client.meta.events.register("before-parameter-build.dynamodb", request)
            return
        real_write = store._write

        @contextmanager
        def write():
            with real_write() as conn:
                yield conn
                self._write()

        monkeypatch.setattr(store, "_write", write)

    def _write(self):
        self.attempted += 1
        if self.attempted > self.writes:
            raise Crash(f"after {self.writes} writes")

    def after(self, writes: int | None) -> None:
        """Die after `writes` writes from now (None: never)."""
        self.writes, self.attempted = (10**9 if writes is None else writes), 0


def suppressed_and_lifted(store, person: str, kin: str) -> None:
    """Someone else's suppression names the person, and so does the record of its
    earlier lift (a copy of it): the erasure rewrites both."""
    suppression = Suppression(kin, "bounce", f"550 {person} moved", T0)
    store.suppress_address(suppression)
    assert store.lift_suppression(kin, lifted_by="bob@example.com", lifted_at=T0)
    store.suppress_address(suppression)


def test_a_crash_at_any_write_of_the_erasure_keeps_a_lift_it_rewrites(
        store, blobs, monkeypatch):  # noqa: F811
    fill(store, blobs)
    crash = CrashingWrites(store, monkeypatch)
    # An erasure of a person of their own for each number of writes before the crash
    # (the stored records of the earlier ones name no one it looks for), until one
    # runs through.
    for writes in range(30):
        person, kin = f"zoe{writes}@example.org", f"jan{writes}@example.com"
        suppressed_and_lifted(store, person, kin)
        crash.after(writes)
        try:
            erase_person(store, data_port(store), blobs, person)
        except Crash:
            crash.after(None)
            [lift] = store.suppression_lifts(kin)  # there, once, old or new
            assert lift.lifted_by == "bob@example.com"
            erase_person(store, data_port(store), blobs, person)  # run again
        else:
            break
        finally:
            crash.after(None)
        [lift] = store.suppression_lifts(kin)
        assert lift.lifted_by == "bob@example.com" and person not in str(lift)
        assert person not in str(store.get_suppression(kin))
    else:
        pytest.fail("the erasure never finished")
    assert writes >= 2  # It crashed before its first write, and after it at least.
