"""Preset support-plan, the workflow part (the plan's quota rules wait for organizations
and accounts, issue #4): reminders while waiting on the customer, closed after 10 working
days without an answer, solved tickets closed after 5 working days."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.workflow.conftest import CUSTOMER

SUBJECT = "Export to Excel fails"


@pytest.fixture
def desk(make_desk):
    return make_desk("support-plan", "2026-12-23 09:00")


def test_waiting_over_christmas_and_new_year(desk):
    number = desk.submit()
    assert desk.status(number) == "new"
    desk.at("2026-12-23 10:00").agent_replies(number, "On it.")
    assert desk.status(number) == "open"
    desk.at("2026-12-24 10:00").agent_replies(number, status="waiting-on-customer")
    # 3 working days: (25 Christmas, the weekend) 28, 29, 30 December.
    assert desk.due(number) == datetime(2026, 12, 30, 10, 0)
    desk.mails()

    desk.at("2026-12-30 10:00").sweep()
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Reminder: we are waiting for your "
                                       f"answer - {SUBJECT}")]
    # 10 working days from 24 December: 28-31 December, (1 January), 4-8 and 11 January.
    assert desk.due(number) == datetime(2027, 1, 11, 10, 0)

    desk.at("2027-01-08 17:00").sweep()
    assert desk.status(number) == "waiting-on-customer"
    desk.at("2027-01-11 10:00").sweep()
    assert desk.status(number) == "closed"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Closed - {SUBJECT}")]


def test_solved_is_closed_after_5_working_days_around_kings_day(desk):
    number = desk.submit()
    desk.at("2027-04-23 16:00").set_status(number, "solved")
    # 26 April, (27 April King's Day), 28, 29, 30 April, 3 May.
    assert desk.due(number) == datetime(2027, 5, 3, 16, 0)
    desk.mails()
    desk.at("2027-05-03 16:00").sweep()
    assert desk.status(number) == "closed"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Closed - {SUBJECT}")]
