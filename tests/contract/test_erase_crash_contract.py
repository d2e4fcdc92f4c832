"""An erasure that dies at any of its writes, on SQLite and DynamoDB, loses no record
of someone else that it rewrites: here the record of a suppression's lift, which has
no key of its own (rewritten as the old record out, the new one in). After each crash
the lift is there once, as it was or rewritten, and the erasure run again from the
start keeps it, without the person."""

from __future__ import annotations

import pytest

from loket.domain.outgoing import Suppression
from loket.services.erase import erase_person
from loket.storage.data_port import data_port
from tests.contract.crashes import Crash, CrashingWrites
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_mail_queue_contract import T0
from tests.sample_data import fill


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
