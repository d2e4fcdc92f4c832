"""Preset confirmation-pending: Awaiting Customer Response, 7 working days later
Confirmation pending with a reminder asking for an answer within 3 working days,
3 working days later Closed. Across Christmas 2026 and King's Day 2026 (NL)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.workflow.conftest import CUSTOMER, text_of

SUBJECT = "Export to Excel fails"


@pytest.fixture
def desk(make_desk):
    return make_desk("confirmation-pending", "2026-12-17 11:00")


def test_across_christmas_and_new_year(desk):
    number = desk.submit()
    desk.at("2026-12-18 14:00").agent_replies(number, status="awaiting-customer-response")
    assert desk.status(number) == "awaiting-customer-response"
    # Seven working days: 21, 22, 23, 24, (25 Christmas, 26 and 27 weekend), 28, 29, 30.
    assert desk.due(number) == datetime(2026, 12, 30, 14, 0)
    desk.mails()

    for moment in ("2026-12-25 14:00", "2026-12-28 14:00", "2026-12-30 13:59"):
        desk.at(moment).sweep()
        assert desk.status(number) == "awaiting-customer-response" and desk.mails() == []

    desk.at("2026-12-30 14:00").sweep()
    assert desk.status(number) == "confirmation-pending"
    # One e-mail: it says the new status and asks for an answer within 3 working days
    # (31 December, 1 January is New Year's Day, the weekend, 4 and 5 January).
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Reminder: we are waiting for your "
                                       f"answer - {SUBJECT}")]
    body = text_of(desk.last_mail())
    assert "Its status is Confirmation pending." in body
    assert "Please answer before Tuesday 5 January 2027, 14:00" in body
    assert desk.due(number) == datetime(2027, 1, 5, 14, 0)

    desk.at("2027-01-01 14:00").sweep()
    desk.at("2027-01-05 13:59").sweep()
    assert desk.status(number) == "confirmation-pending" and desk.mails() == []

    desk.at("2027-01-05 14:00").sweep()
    assert desk.status(number) == "closed" and desk.due(number) is None
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Closed - {SUBJECT}")]

    desk.at("2027-01-06 09:12").customer_replies(number, "Sorry, I was on holiday.")
    assert desk.status(number) == "open"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Open - {SUBJECT}")]


def test_kings_day_is_no_working_day_and_a_reply_opens_the_ticket(desk):
    number = desk.submit()
    desk.at("2026-04-23 10:00").agent_replies(number, status="awaiting-customer-response")
    # 24 April, (the weekend, 27 April King's Day), 28, 29, 30 April, 1, 4, 5 May.
    assert desk.due(number) == datetime(2026, 5, 5, 10, 0)
    desk.at("2026-05-05 09:59").sweep()
    assert desk.status(number) == "awaiting-customer-response"
    desk.at("2026-05-05 10:00").sweep()
    assert desk.status(number) == "confirmation-pending"
    # Three working days from Tuesday 5 May: 6, 7, 8 May.
    assert "Please answer before Friday 8 May 2026, 10:00" in text_of(desk.last_mail())
    desk.mails()

    desk.at("2026-05-06 08:30").customer_replies(number)
    assert desk.status(number) == "open" and desk.due(number) is None
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Open - {SUBJECT}")]


def test_a_reply_while_awaiting_the_customer_opens_the_ticket(desk):
    number = desk.submit()
    desk.at("2026-12-18 14:00").agent_replies(number, status="awaiting-customer-response")
    desk.at("2026-12-21 09:00").customer_replies(number)
    assert desk.status(number) == "open" and desk.due(number) is None


def test_a_dutch_reminder_reads_dutch_dates(desk):
    number = desk.submit(language="nl")
    desk.at("2026-12-18 14:00").agent_replies(number, status="awaiting-customer-response")
    desk.at("2026-12-30 14:00").sweep()
    mail = desk.last_mail()
    assert mail["Subject"].startswith(f"[#{number}] Herinnering: wij wachten op uw antwoord")
    assert "vóór dinsdag 5 januari 2027, 14:00" in text_of(mail)
    assert mail["In-Reply-To"] == f"<ticket-{number}@nordwind.example>"
