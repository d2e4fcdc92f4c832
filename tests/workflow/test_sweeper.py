"""The sweeper: idempotent, safe to run twice at once, never losing a customer's reply
that races a timer, and sending each e-mail only after its change is stored."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace

import pytest

from loket.domain.errors import VersionConflict
from loket.services.sweeper import SweepLoop, sweep
from tests.workflow.conftest import local
from tests.stores import save_audited


@pytest.fixture
def desk(make_desk):
    desk = make_desk("reminder-and-close", "2026-11-30 09:30")
    # The sweeper's own behaviour, with timers only: the preset's SLA (the demo's
    # response targets) would add breaches to every count here; the presets' scenario
    # tests cover SLA breaches.
    config = desk.services.config
    desk.services.config = replace(config, workflow=replace(config.workflow, sla=None))
    return desk


def waiting(desk, count: int, at: str = "2026-11-30 10:00") -> list[int]:
    numbers = [desk.submit(subject=f"Ticket {i}") for i in range(count)]
    desk.at(at)
    for number in numbers:
        desk.agent_replies(number, status="waiting-on-customer")
    desk.mails()
    return numbers


def test_two_sweepers_at_once_remind_and_close_each_ticket_once(desk):
    numbers = waiting(desk, 12)
    for moment in ("2026-12-07 10:00", "2026-12-14 10:00"):
        desk.at(moment)
        reports = []
        threads = [threading.Thread(target=lambda: reports.append(sweep(desk.services)))
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sent = Counter(subject.split("]")[0] for _, subject in desk.mails())
        assert sent == {f"[#{n}": 1 for n in numbers}
        assert sum(r.changed for r in reports) == len(numbers)
    assert {desk.status(n) for n in numbers} == {"closed"}


def test_a_reply_that_lands_while_the_sweeper_works_wins(desk):
    """The sweeper read the ticket (a close is due); the customer's reply is stored
    before the sweeper saves. The sweeper's save conflicts, it looks again: open."""
    [number] = waiting(desk, 1)
    store = desk.services.store
    real_save = store.save_ticket
    raced = []

    def reply_first(ticket, *, expected_version, events, messages=(), mails=()):
        if not raced:
            raced.append(True)
            desk.customer_replies(number, "Here is the log file.")
        return real_save(ticket, expected_version=expected_version, events=events,
                         messages=messages, mails=mails)

    desk.at("2026-12-14 10:00")
    store.save_ticket = reply_first
    try:
        report = sweep(desk.services)
    finally:
        del store.save_ticket
    assert report.conflicts == 1 and report.changed == 0
    assert desk.status(number) == "open"
    assert [m.body for m in store.list_messages(number)][-1] == "Here is the log file."
    # Only the reply's own status e-mail; no close, no reminder.
    assert [s for _, s in desk.mails()] == [f"[#{number}] Status: Open - Ticket 0"]


def test_a_reply_racing_the_close_is_applied_after_it(desk):
    """The customer's reply read the ticket; the sweeper closes it before the reply is
    stored. The reply is applied to the closed ticket: kept, never lost."""
    [number] = waiting(desk, 1)
    store = desk.services.store
    real_save = store.save_ticket
    raced = []

    def close_first(ticket, *, expected_version, events, messages=(), mails=()):
        if not raced:
            raced.append(True)
            sweep(desk.services)
        return real_save(ticket, expected_version=expected_version, events=events,
                         messages=messages, mails=mails)

    desk.at("2026-12-07 10:00").sweep()  # The reminder: never closed without it.
    desk.at("2026-12-14 10:00")
    store.save_ticket = close_first
    try:
        desk.customer_replies(number, "Sorry, late: here it is.")
    finally:
        del store.save_ticket
    assert desk.status(number) == "closed"  # In this process a closed ticket stays closed.
    assert [m.body for m in store.list_messages(number)][-1] == "Sorry, late: here it is."


def test_a_sweeper_that_loses_every_race_sends_nothing(desk, monkeypatch):
    waiting(desk, 3)
    desk.at("2026-12-07 10:00")

    def always_conflict(ticket, **kwargs):
        raise VersionConflict(ticket.number)

    monkeypatch.setattr(desk.services.store, "save_ticket", always_conflict)
    report = sweep(desk.services)
    assert report.changed == 0 and report.conflicts == 3 * 5
    assert desk.mails() == []


def test_dry_run_lists_and_changes_nothing(desk):
    numbers = waiting(desk, 2)
    before = [desk.ticket(n) for n in numbers]
    report = sweep(desk.services, now=local("2026-12-14 10:00"), dry_run=True)
    # Close time, but no reminder went out yet: it would send that first (issue #11).
    assert sorted(report.actions) == sorted(
        f"#{n}: reminder (remind-after-7-days)" for n in numbers)
    assert report.dry_run and report.changed == 2 and desk.mails() == []
    assert report.emails == 2  # Counted, not sent.
    assert [desk.ticket(n) for n in numbers] == before


def test_a_failing_mail_server_keeps_the_change_and_its_mail(desk):
    [number] = waiting(desk, 1)
    desk.at("2026-12-07 10:00").sweep()  # The reminder: never closed without it.
    desk.dispatch()

    class Broken:
        def send(self, message):
            raise ConnectionRefusedError("smtp down")

    desk.services.mail = Broken()
    report = desk.at("2026-12-14 10:00").sweep()
    assert report.changed == 1 and report.emails == 1  # queued with the change
    assert desk.status(number) == "closed"
    desk.dispatch()
    [waiting_mail] = desk.services.store.list_mail(pending=True)
    assert waiting_mail.ticket == number and "smtp down" in waiting_mail.last_error


def test_sweeps_in_batches_until_nothing_is_due(desk):
    numbers = waiting(desk, 7)
    report = sweep(desk.services, now=local("2026-12-07 10:00"), batch=3)
    assert report.due == 7 and report.changed == 7
    assert len(desk.mails()) == 7


def test_a_stale_due_at_is_put_right_without_a_change(desk):
    """A ticket whose due_at no longer matches its timers (the configuration changed)
    is saved with the right one, so the index stops offering it."""
    number = desk.submit()
    ticket = desk.ticket(number)
    save_audited(desk.services.store, replace(ticket, due_at=local("2026-12-01 00:00")),
                                    expected_version=ticket.version)
    report = sweep(desk.services, now=local("2026-12-02 00:00"))
    assert report.changed == 0 and desk.ticket(number).due_at is None
    assert desk.services.store.due_tickets(local("2027-01-01 00:00")) == []


def test_the_background_loop_sweeps_and_stops_cleanly(desk):
    [number] = waiting(desk, 1)
    desk.at("2026-12-07 10:00").sweep()  # The reminder: never closed without it.
    desk.at("2026-12-14 10:00")
    swept = threading.Event()
    real_due = desk.services.store.due_tickets

    def due_tickets(now, limit=100):
        found = real_due(now, limit)
        swept.set()
        return found

    desk.services.store.due_tickets = due_tickets
    try:
        loop = SweepLoop(desk.services, interval=3600).start()
        assert swept.wait(10)
        loop.stop(timeout=10)  # Wakes it at once, long before the next interval.
    finally:
        del desk.services.store.due_tickets
    assert not loop.running
    assert desk.status(number) == "closed"
