"""Preset review-board: a new ticket waits for the product's review board, which assigns
it to a support team; answers are added; the customer's close is the sign-off; the board
hears of every new ticket and every status change."""

from __future__ import annotations

import pytest

from loket.domain.errors import TransitionRefused
from tests.workflow.conftest import CUSTOMER, PLANNER_BOARD, text_of

SUBJECT = "Export to Excel fails"
PAYROLL_BOARD = "payroll-board@nordwind.example"


@pytest.fixture
def desk(make_desk):
    return make_desk("review-board", "2026-11-30 09:30")


def test_from_review_board_to_sign_off(desk):
    number = desk.submit()
    assert desk.status(number) == "awaiting-review"
    assert desk.mails() == [
        (CUSTOMER, f"[#{number}] We received your ticket: {SUBJECT}"),
        (PLANNER_BOARD, f"[#{number}] New ticket - {SUBJECT}"),
    ]

    desk.at("2026-11-30 11:00").assign(number, "planning-team")
    ticket = desk.ticket(number)
    assert ticket.status == "assigned" and ticket.assignee == "planning-team"
    assert desk.mails() == [
        (CUSTOMER, f"[#{number}] Status: With a support team - {SUBJECT}"),
        (PLANNER_BOARD, f"[#{number}] Status: With a support team - {SUBJECT}"),
    ]
    assert "Assigned to:   planning-team" in text_of(desk.last_mail())

    desk.at("2026-11-30 14:00").agent_replies(number, "Use the CSV export meanwhile.")
    assert desk.status(number) == "answered"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Re: {SUBJECT}"),
                            (PLANNER_BOARD, f"[#{number}] Status: Answered - {SUBJECT}")]

    desk.at("2026-12-01 09:00").customer_replies(number, "And the real fix?")
    assert desk.status(number) == "assigned"
    assert [to for to, _ in desk.mails()] == [CUSTOMER, PLANNER_BOARD]

    desk.at("2026-12-02 09:00").agent_replies(number, "Fixed in 4.2.")
    desk.mails()
    desk.at("2026-12-02 10:00").customer_closes(number, "Signed off.")
    assert desk.status(number) == "closed"
    assert desk.mails() == [
        (CUSTOMER, f"[#{number}] Status: Closed (signed off) - {SUBJECT}"),
        (PLANNER_BOARD, f"[#{number}] Status: Closed (signed off) - {SUBJECT}"),
    ]
    with pytest.raises(TransitionRefused):
        desk.customer_closes(number)


def test_each_product_has_its_own_board(desk):
    number = desk.submit(product="payroll")
    assert desk.mails()[-1] == (PAYROLL_BOARD, f"[#{number}] New ticket - {SUBJECT}")


def test_assigning_again_changes_the_team_not_the_status(desk):
    number = desk.submit()
    desk.assign(number, "planning-team")
    desk.mails()
    desk.assign(number, "data-team")
    assert desk.ticket(number).assignee == "data-team"
    assert desk.status(number) == "assigned" and desk.mails() == []
