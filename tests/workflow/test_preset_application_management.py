"""Preset application-management: fourteen statuses, an SLA from impact x urgency that
pauses while waiting on the customer, escalation when the time to resolution is
exceeded (across King's Day 2026), and a close only by the customer."""

from __future__ import annotations

from datetime import datetime

import pytest

from loket.domain.errors import TransitionRefused, ValidationFailed
from tests.workflow.conftest import CUSTOMER, PLANNER_BOARD, text_of

SUBJECT = "Export to Excel fails"


@pytest.fixture
def desk(make_desk):
    return make_desk("application-management", "2026-04-20 09:00")


def test_has_fourteen_statuses(desk):
    assert len(desk.services.config.statuses) == 14


def test_resolution_exceeded_escalates_after_the_pause_and_kings_day(desk):
    number = desk.submit()
    ticket = desk.ticket(number)
    assert ticket.status == "waiting-for-support" and ticket.priority == "p3"
    # p3 (medium x medium): first response within one working day, i.e. 8 working
    # hours, which end at closing time the same day.
    assert desk.due(number) == datetime(2026, 4, 20, 17, 0)

    desk.at("2026-04-20 09:10").set_priority(number, "high", "high")
    assert desk.ticket(number).priority == "p1"
    assert desk.due(number) == datetime(2026, 4, 20, 10, 0)  # first response: 1 working hour

    desk.at("2026-04-20 09:30").agent_replies(number, "Looking into it.")
    assert desk.status(number) == "in-progress"
    assert desk.due(number) == datetime(2026, 4, 20, 17, 0)  # resolution: 8 working hours
    desk.mails()

    desk.at("2026-04-20 11:00").agent_replies(number, status="waiting-on-customer")
    ticket = desk.ticket(number)
    assert ticket.sla_since is None and ticket.sla_used.total_seconds() == 2 * 3600
    # Paused: only the reminder timer of waiting-on-customer is pending (5 working days,
    # King's Day not counted).
    assert desk.due(number) == datetime(2026, 4, 28, 11, 0)

    desk.at("2026-04-24 15:00").customer_replies(number)
    assert desk.status(number) == "in-progress"
    # Six working hours left: Friday 15-17, Monday is King's Day, Tuesday 09-13.
    assert desk.due(number) == datetime(2026, 4, 28, 13, 0)
    desk.mails()

    desk.at("2026-04-27 16:00").sweep()
    desk.at("2026-04-28 12:59").sweep()
    assert desk.status(number) == "in-progress" and desk.mails() == []

    report = desk.at("2026-04-28 13:00").sweep()
    assert report.actions == [f"#{number}: SLA resolution target breached",
                              f"#{number}: in-progress -> escalated (resolution-breached)"]
    ticket = desk.ticket(number)
    assert ticket.status == "escalated" and ticket.sla_breaches == ("resolution",)
    assert desk.mails() == [
        (CUSTOMER, f"[#{number}] Status: Escalated - {SUBJECT}"),
        (PLANNER_BOARD, f"[#{number}] SLA breached (resolution) - {SUBJECT}"),
    ]
    assert "Customer:      ann@example.com" in text_of(desk.last_mail())
    assert "token=" not in text_of(desk.last_mail())  # The customer's key stays theirs.
    assert desk.due(number) is None

    desk.at("2026-04-28 13:05").sweep()  # Breached once, told once.
    assert desk.mails() == []


def test_only_the_customer_closes_by_confirming_the_solution(desk):
    number = desk.submit()
    desk.at("2026-04-20 10:00").agent_replies(number)
    with pytest.raises(ValidationFailed, match="cannot be set by the agent"):
        desk.set_status(number, "closed")
    with pytest.raises(TransitionRefused):
        desk.customer_rejects(number)  # No solution to reject yet.

    desk.at("2026-04-21 10:00").set_status(number, "solved")
    assert desk.ticket(number).sla_since is None  # Resolved: the clock stands still.
    desk.mails()
    desk.at("2026-04-21 11:00").customer_rejects(number, "Still fails on the big file.")
    assert desk.status(number) == "active"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Active (solution rejected) - {SUBJECT}")]
    assert desk.ticket(number).sla_since is not None  # Running again.

    desk.at("2026-04-22 10:00").set_status(number, "solved")
    desk.at("2026-04-22 15:00").customer_closes(number)
    assert desk.status(number) == "closed" and desk.due(number) is None


def test_a_solved_ticket_gets_a_reminder_but_is_never_closed_by_a_timer(desk):
    number = desk.submit()
    desk.at("2026-04-20 10:00").agent_replies(number)
    desk.at("2026-04-21 10:00").set_status(number, "solved")
    desk.mails()
    desk.at("2026-04-29 10:00").sweep()  # Five working days later (King's Day off).
    assert desk.status(number) == "solved"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Reminder: we are waiting for your "
                                       f"answer - {SUBJECT}")]
    desk.at("2026-06-29 10:00").sweep()
    assert desk.status(number) == "solved" and desk.due(number) is None


def test_a_late_first_response_is_flagged_and_the_board_told(desk):
    number = desk.submit()
    desk.at("2026-04-20 09:05").set_priority(number, "high", "high")
    desk.mails()
    desk.at("2026-04-20 10:00").sweep()
    ticket = desk.ticket(number)
    assert ticket.sla_breaches == ("first-response",)
    assert ticket.status == "waiting-for-support"  # A flag, no status of its own.
    assert desk.mails() == [(PLANNER_BOARD,
                             f"[#{number}] SLA breached (first-response) - {SUBJECT}")]
    assert desk.due(number) == datetime(2026, 4, 20, 17, 0)  # resolution still pending


@pytest.mark.parametrize("status", ["scheduled", "in-progress-external", "waiting-on-update"])
def test_on_hold_statuses_pause_the_clock(desk, status):
    number = desk.submit()
    desk.at("2026-04-20 10:00").agent_replies(number)
    desk.at("2026-04-20 12:00").set_status(number, status)
    assert desk.ticket(number).sla_since is None
    desk.at("2026-06-01 12:00").sweep()
    assert desk.status(number) == status and desk.ticket(number).sla_breaches == ()


def test_priority_refuses_unknown_values_by_field(desk):
    number = desk.submit()
    with pytest.raises(ValidationFailed) as exc:
        desk.set_priority(number, "huge", "now")
    assert [e.field for e in exc.value.errors] == ["impact", "urgency"]
