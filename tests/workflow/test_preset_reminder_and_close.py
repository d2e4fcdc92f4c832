"""Preset reminder-and-close: waiting on the customer, a reminder after 7 days and
closed after 14 days without an answer; an answer before that opens the ticket again."""

from __future__ import annotations

from datetime import datetime

import pytest

from loket.domain.errors import TransitionRefused
from tests.workflow.conftest import CUSTOMER, text_of


@pytest.fixture
def desk(make_desk):
    return make_desk("reminder-and-close", "2026-11-30 09:30")


def test_reminder_after_7_days_and_closed_after_14(desk):
    number = desk.submit()
    # Due: the SLA's first response (a normal ticket: one working day).
    assert desk.status(number) == "open" and desk.due(number) == datetime(2026, 12, 1, 9, 30)
    assert desk.mails() == [(CUSTOMER, f"[#{number}] We received your ticket: Export to Excel fails")]

    desk.at("2026-11-30 10:00").agent_replies(number, status="waiting-on-customer")
    assert desk.status(number) == "waiting-on-customer"
    assert desk.due(number) == datetime(2026, 12, 7, 10, 0)
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Re: Export to Excel fails")]
    assert "Status: Waiting on you (was Open)" in text_of(desk.last_mail())

    desk.at("2026-12-07 09:59").sweep()
    assert desk.mails() == [] and desk.status(number) == "waiting-on-customer"

    report = desk.at("2026-12-07 10:00").sweep()
    assert report.actions == [f"#{number}: reminder (remind-after-7-days)"]
    assert desk.status(number) == "waiting-on-customer"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Reminder: we are waiting for your "
                                       "answer - Export to Excel fails")]
    # The reminder says until when: the close timer, 14 days after the status was set.
    assert "Please answer before Monday 14 December 2026, 10:00" in text_of(desk.last_mail())
    assert desk.due(number) == datetime(2026, 12, 14, 10, 0)

    desk.at("2026-12-07 10:05").sweep()  # A second sweep sends no second reminder.
    assert desk.mails() == []

    desk.at("2026-12-14 10:00").sweep()
    assert desk.status(number) == "closed" and desk.due(number) is None
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Closed - Export to Excel fails")]
    assert "changed from Waiting on you to Closed" in text_of(desk.last_mail())


def test_an_answer_before_the_close_opens_the_ticket_again(desk):
    number = desk.submit()
    desk.at("2026-12-01 10:00").agent_replies(number, status="waiting-on-customer")
    desk.at("2026-12-08 10:00").sweep()
    desk.mails()

    desk.at("2026-12-10 16:20").customer_replies(number)
    # The SLA clock runs again: the resolution target (10 working days, 8.5 hours used).
    assert desk.status(number) == "open" and desk.due(number) == datetime(2026, 12, 23, 15, 50)
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Open - Export to Excel fails")]

    desk.at("2026-12-15 10:00").sweep()  # Past the old close moment: nothing happens.
    assert desk.status(number) == "open" and desk.mails() == []


def test_waiting_again_starts_the_timers_afresh(desk):
    number = desk.submit()
    desk.at("2026-12-01 10:00").agent_replies(number, status="waiting-on-customer")
    desk.at("2026-12-08 10:00").sweep()
    desk.at("2026-12-09 10:00").customer_replies(number)
    desk.at("2026-12-09 11:00").agent_replies(number, status="waiting-on-customer")
    assert desk.due(number) == datetime(2026, 12, 16, 11, 0)
    desk.mails()
    desk.at("2026-12-15 10:00").sweep()  # The first stint's close time: not any more.
    assert desk.status(number) == "waiting-on-customer" and desk.mails() == []
    desk.at("2026-12-16 11:00").sweep()
    assert [subject for _, subject in desk.mails()] == [
        f"[#{number}] Reminder: we are waiting for your answer - Export to Excel fails"]


# A late sweep (reminder first, the close postponed): tests/workflow/test_late_sweep.py.


def test_customer_closes_and_may_reopen_a_solved_ticket_only(desk):
    number = desk.submit()
    with pytest.raises(TransitionRefused):
        desk.customer_reopens(number)  # It is open already.
    desk.at("2026-12-01 10:00").set_status(number, "solved")
    desk.at("2026-12-01 11:00").customer_reopens(number)
    assert desk.status(number) == "open"
    desk.at("2026-12-01 12:00").customer_closes(number, body="Works now, thanks.")
    assert desk.status(number) == "closed"
    assert desk.services.store.list_messages(number)[-1].body == "Works now, thanks."
    with pytest.raises(TransitionRefused):
        desk.customer_reopens(number)  # Closed is final in this process.


@pytest.mark.parametrize("fields, impact, urgency, priority", [
    ({}, "medium", "medium", "normal"),
    ({"type": "incident"}, "high", "high", "critical"),
    ({"environment": "production"}, "medium", "high", "high"),
    ({"users_affected": "60", "environment": "production"}, "high", "high", "critical"),
    ({"users_affected": "7"}, "medium", "medium", "normal"),
    ({"type": "question"}, "low", "low", "low"),
    ({"type": "question", "environment": "production"}, "low", "high", "normal"),
])
def test_priority_comes_from_the_form_by_the_workflow_rules(desk, fields, impact, urgency,
                                                            priority):
    ticket = desk.ticket(desk.submit(**fields))
    assert (ticket.impact, ticket.urgency, ticket.priority) == (impact, urgency, priority)


def test_the_first_response_target_is_the_one_the_home_page_publishes(desk):
    # Monday 09:30 in Amsterdam: a critical ticket is due a first reply at 10:30, a
    # normal one a working day later (Tuesday 09:30).
    critical = desk.submit(type="incident")
    normal = desk.submit()
    assert desk.due(critical) == datetime(2026, 11, 30, 10, 30)
    assert desk.due(normal) == datetime(2026, 12, 1, 9, 30)
