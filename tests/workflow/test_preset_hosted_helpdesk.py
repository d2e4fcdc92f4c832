"""Preset hosted-helpdesk, the defaults of the best-known hosted help desk: reminders
24 hours and 5 days into pending, solved tickets closed 4 days after solving. Calendar
time: Christmas makes no difference."""

from __future__ import annotations

from datetime import datetime

import pytest

from loket.domain.errors import TransitionRefused
from tests.workflow.conftest import CUSTOMER

SUBJECT = "Export to Excel fails"
REMINDER = f"Reminder: we are waiting for your answer - {SUBJECT}"


@pytest.fixture
def desk(make_desk):
    return make_desk("hosted-helpdesk", "2026-12-23 09:00")


def test_pending_reminders_then_solved_and_closed(desk):
    number = desk.submit()
    assert desk.status(number) == "new"
    desk.at("2026-12-23 10:00").agent_replies(number, "Checking.")
    assert desk.status(number) == "open"
    desk.at("2026-12-24 10:00").agent_replies(number, status="pending")
    assert desk.due(number) == datetime(2026, 12, 25, 10, 0)
    desk.mails()

    desk.at("2026-12-25 10:00").sweep()  # Christmas Day: calendar hours count anyway.
    assert desk.mails() == [(CUSTOMER, f"[#{number}] {REMINDER}")]
    assert desk.due(number) == datetime(2026, 12, 29, 10, 0)
    desk.at("2026-12-29 10:00").sweep()
    assert desk.mails() == [(CUSTOMER, f"[#{number}] {REMINDER}")]
    assert desk.due(number) is None and desk.status(number) == "pending"

    desk.at("2026-12-30 09:00").customer_replies(number)
    assert desk.status(number) == "open"
    desk.at("2026-12-30 11:00").set_status(number, "solved")
    assert desk.due(number) == datetime(2027, 1, 3, 11, 0)
    desk.mails()
    desk.at("2027-01-03 11:00").sweep()  # A Sunday.
    assert desk.status(number) == "closed"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Closed - {SUBJECT}")]

    desk.at("2027-01-04 09:00").customer_replies(number, "One more thing")
    assert desk.status(number) == "closed"  # Closed stays closed.
    with pytest.raises(TransitionRefused):
        desk.customer_reopens(number)


def test_the_customer_marks_a_ticket_solved(desk):
    number = desk.submit()
    desk.at("2026-12-23 12:00").customer_closes(number)
    assert desk.status(number) == "solved"
    assert desk.due(number) == datetime(2026, 12, 27, 12, 0)
