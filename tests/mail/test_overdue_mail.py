"""`loket serve`'s backstop for a starved mail process: the mail process runs only on CPU
time nothing else wants (services/low_priority.py), so a thread of the server sends mail
that has waited OVERDUE, and nothing sooner (the mail process's work stays its own)."""

from __future__ import annotations

from loket.services.mail_dispatch import OVERDUE, MailLoop, send_queued
from loket.services.submission import submit_ticket
from tests.api.conftest import VALID
from tests.mail.test_mail_loop import wait_for_mail


def test_only_mail_due_for_the_wait_goes(services, clock, tmp_path):
    number = submit_ticket(services, VALID, client_address="203.0.113.7").ticket.number
    clock.move(seconds=OVERDUE.total_seconds() - 1)
    assert send_queued(services, waited=OVERDUE).sent == 0
    assert not list((tmp_path / "outbox").glob("*.eml"))
    clock.move(seconds=2)
    assert send_queued(services, waited=OVERDUE).sent == 1
    [receipt] = (tmp_path / "outbox").glob("*.eml")
    assert f"ticket-{number}@" in receipt.read_text()
    assert send_queued(services).sent == 0  # sent once: the mail process finds nothing


def test_the_backstop_loop_sends_overdue_mail(services, clock, tmp_path):
    submit_ticket(services, VALID, client_address="203.0.113.7")
    clock.move(seconds=OVERDUE.total_seconds() + 1)
    loop = MailLoop(services, 3600, waited=OVERDUE).start()
    try:
        wait_for_mail(tmp_path / "outbox", 1)
    finally:
        loop.stop()
