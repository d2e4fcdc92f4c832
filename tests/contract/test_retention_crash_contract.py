"""Retention's rewrite of a closed ticket (storage/*_export.py `replace_ticket`)
interrupted by a crash, on SQLite and DynamoDB: after the crash every message of the
ticket is still there, once, old or stripped, never gone; the ticket is still due, and
the next sweep finishes it. A ticket small enough for one DynamoDB transaction, and one
too big for it (written in steps), crashed after each of its writes in turn."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from loket.domain.retention import REMOVED_TEXT, add_months
from loket.domain.tickets import AuthorRole, Message
from loket.services.sweeper import sweep
from loket.services import status as use_cases
from tests.contract.crashes import CrashingWrites
from tests.contract.test_closed_ticket_retention_contract import CLOSED_AT, MONTHS, desk, traces
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.sample_data import fill
from tests.stores import save_audited

DUE = add_months(CLOSED_AT, MONTHS) + timedelta(minutes=1)


class CrashingRewrite(CrashingWrites):
    """While on, the store's rewrite of a ticket (`replace_ticket`) dies at its write
    number `writes` + 1, the writes before it done (crashes.py); writes outside it
    are not counted."""

    def __init__(self, store, monkeypatch):
        from loket.storage.data_port import data_port

        self.rewriting = False
        super().__init__(store, monkeypatch, counted=lambda: self.rewriting)
        port = type(data_port(store))
        real = port.replace_ticket

        def replace_ticket(port_self, line, **version):
            self.rewriting = True
            try:
                return real(port_self, line, **version)
            finally:
                self.rewriting = False

        monkeypatch.setattr(port, "replace_ticket", replace_ticket)


def with_many_messages(store, number: int, count: int) -> None:
    """`count` more messages of the agent's, saved 20 at a time (each save is one
    transaction on DynamoDB)."""
    for start in range(0, count, 20):
        ticket = store.get_ticket(number)
        messages = [Message(author="bob@example.com", role=AuthorRole.AGENT,
                            body=f"Answer {i} for Zoë Vanderberg",
                            created_at=ticket.updated_at + timedelta(minutes=i + 1))
                    for i in range(start, min(start + 20, count))]
        save_audited(store, replace(ticket, updated_at=messages[-1].created_at),
                     expected_version=ticket.version, messages=messages)


def assert_whole(store, number: int, bodies_before: list[str]) -> None:
    """Every message there once, in order, each as it was or stripped."""
    bodies = [m.body for m in store.list_messages(number)]
    assert len(bodies) == len(bodies_before)
    assert all(now in (was, REMOVED_TEXT) for now, was in zip(bodies, bodies_before))


@pytest.mark.parametrize("extra", [0, 110], ids=["one transaction", "in steps"])
def test_a_crash_in_the_rewrite_loses_no_message_and_the_next_sweep_finishes(
        store, blobs, monkeypatch, extra):  # noqa: F811
    services = desk(store, blobs)
    number = fill(store, blobs)["mine"].number
    with_many_messages(store, number, extra)
    use_cases.set_status(services, number, "closed", by="bob@example.com")
    version = store.get_ticket(number).version
    bodies_before = [m.body for m in store.list_messages(number)]
    assert len(bodies_before) == 3 + extra
    crash = CrashingRewrite(store, monkeypatch)
    crashes = 0
    while True:
        crash.after(crashes)
        report = sweep(services, now=DUE)
        assert_whole(store, number, bodies_before)
        if report.removed:  # The rewrite ran to its end.
            break
        assert crash.attempted == crashes + 1  # It died at the write after those.
        # The ticket item is as it was: still due, its version not taken.
        assert store.get_ticket(number).version == version
        crashes += 1
        assert crashes < 30, "the rewrite never finished"
    # It did crash, after each of its writes in turn: on SQLite its one transaction; on
    # DynamoDB one transaction, or 6 requests of 25 parts (the messages on their own
    # keys: nothing stale to delete), then the ticket item.
    dynamodb = store.__class__.__name__ == "DynamoDBStore"
    assert crashes == (7 if dynamodb and extra else 1)
    assert traces(store, number) == []
    assert {m.body for m in store.list_messages(number)} == {REMOVED_TEXT}
    assert store.get_ticket(number).version == version + 1
    assert sweep(services, now=DUE + timedelta(days=1)).removed == 0


@pytest.mark.parametrize("extra", [0, 110], ids=["one transaction", "in steps"])
def test_a_removal_resumed_at_another_moment_records_one_removal(
        store, blobs, monkeypatch, extra):  # noqa: F811
    """Each round after a crash runs an hour later: the event a crashed round wrote
    (its own key, written before the ticket item) is the removal's one event, not one
    more beside the next round's."""
    from loket.domain.events import EventKind

    services = desk(store, blobs)
    number = fill(store, blobs)["mine"].number
    with_many_messages(store, number, extra)
    use_cases.set_status(services, number, "closed", by="bob@example.com")
    crash = CrashingRewrite(store, monkeypatch)
    for crashes in range(30):
        crash.after(crashes)
        if sweep(services, now=DUE + timedelta(hours=crashes)).removed:
            break
    else:
        pytest.fail("the rewrite never finished")
    assert crashes > 0  # The first round's crash did happen.
    removals = [e for e in store.list_events(number)
                if e.kind is EventKind.PERSONAL_DATA_REMOVED]
    assert len(removals) == 1
    assert sweep(services, now=DUE + timedelta(days=1)).removed == 0
    assert traces(store, number) == []
