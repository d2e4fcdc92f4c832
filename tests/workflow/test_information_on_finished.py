"""Information added to a finished ticket is never left unread (issue #11, defect 2):
within `accounts.reopen_within_days` it opens the ticket again; after that a follow-up
ticket linked to the old one holds it. The customer is told by e-mail which happened,
and the agent finds it in the desk queue. Runs on SQLite and DynamoDB."""

from __future__ import annotations

import pytest

from loket.domain.accounts import Account, Role
from loket.services.desk import queue
from loket.services.information import FOLLOW_UP, REOPENED, add_information
from loket.services.sessions import Viewer
from tests.workflow.conftest import CUSTOMER, text_of


@pytest.fixture
def desk(make_desk):
    return make_desk("reminder-and-close", "2026-11-30 09:30")


def closed_ticket(desk, status: str = "closed") -> int:
    """A ticket the customer closed (or, with status="solved", an agent solved)."""
    number = desk.submit()
    desk.at("2026-11-30 10:00")
    if status == "closed":
        desk.customer_closes(number)
    else:
        desk.set_status(number, status)
    assert desk.status(number) == status
    desk.mails()
    return number


def agent_queue(desk) -> list[int]:
    agent = Account("piet@nordwind.example", Role.AGENT, desk.clock.now(),
                    products=frozenset({"planner"}))
    return [t.number for t in queue(desk.services, Viewer(agent, None)).tickets]


def add(desk, number: int, body: str = "It fails again since the update.", **kwargs):
    return add_information(desk.services, desk.ticket(number), body, author=CUSTOMER,
                           **kwargs)


@pytest.mark.parametrize("preset, status, was", [
    ("reminder-and-close", "solved", "Solved"),
    ("confirmation-pending", "closed", "Closed"),  # customer-reply: closed -> open
])
def test_within_the_period_the_information_reopens_the_ticket(make_desk, preset, status,
                                                                 was):
    desk = make_desk(preset, "2026-11-30 09:30")
    number = closed_ticket(desk, status)
    assert number not in agent_queue(desk)

    desk.at("2026-12-10 09:00")
    added = add(desk, number)

    assert added.outcome == REOPENED and added.ticket.number == number
    assert desk.services.config.status(desk.status(number)).category not in (
        "solved", "closed")
    assert desk.services.store.list_messages(number)[-1].body == \
        "It fails again since the update."
    assert number in agent_queue(desk)
    [(to, subject)] = desk.mails()
    assert to == CUSTOMER and subject.startswith(f"[#{number}] Status: ")
    assert f"Your message reopened ticket {number}: it was {was}" in text_of(desk.last_mail())


def test_the_reopen_mail_goes_even_when_status_mail_is_turned_off(desk, monkeypatch):
    import loket.services.notifications as notifications

    monkeypatch.setattr(notifications, "wants_email", lambda *args: False)
    number = closed_ticket(desk, "solved")
    add(desk.at("2026-12-01 09:00"), number)
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Open - Export to Excel fails")]


def test_after_the_period_a_follow_up_ticket_holds_it(desk):
    number = closed_ticket(desk, "solved")
    days = desk.services.config.accounts.reopen_within_days
    desk.clock.move(days=days, seconds=1)

    added = add(desk, number)

    assert added.outcome == FOLLOW_UP and added.follow_up_of == number
    new = added.ticket
    assert new.number != number and new.follow_up_of == number
    assert desk.status(number) == "solved"  # The old ticket stays as it was...
    assert all("since the update" not in m.body  # ...and gets no unread message.
               for m in desk.services.store.list_messages(number))
    messages = desk.services.store.list_messages(new.number)
    assert messages[0].body == "It fails again since the update."
    assert new.number in agent_queue(desk) and number not in agent_queue(desk)
    assert desk.mails() == [(CUSTOMER, f"[#{new.number}] We received your ticket: "
                                       f"Follow-up to #{number}: Export to Excel fails")]
    text = text_of(desk.last_mail())
    assert f"Your message came after ticket {number} was closed" in text


def test_a_final_status_makes_a_follow_up_within_the_period(desk):
    # reminder-and-close: closed is final (no transition out of it).
    number = closed_ticket(desk)

    added = add(desk.at("2026-11-30 11:00"), number)

    assert added.outcome == FOLLOW_UP and added.ticket.follow_up_of == number
    assert desk.status(number) == "closed"
    assert added.ticket.number in agent_queue(desk)
    assert "Your message came after ticket" in text_of(desk.last_mail())


def test_an_empty_message_changes_nothing(desk):
    from loket.domain.errors import ValidationFailed

    number = closed_ticket(desk)
    desk.clock.move(days=30)
    with pytest.raises(ValidationFailed):
        add(desk, number, body="   ")
    assert desk.status(number) == "closed" and agent_queue(desk) == []
    assert desk.mails() == []


def test_a_reply_racing_the_close_goes_to_a_follow_up(desk):
    """The customer's page read the ticket while it waited; the sweeper closes it
    before the message is stored. The message is never left on the closed ticket."""
    number = desk.submit()
    desk.at("2026-11-30 10:00").agent_replies(number, status="waiting-on-customer")
    desk.at("2026-12-07 10:00").sweep()
    desk.mails()
    read = desk.ticket(number)
    desk.at("2026-12-14 10:00").sweep()
    assert desk.status(number) == "closed"

    added = add_information(desk.services, read, "Sorry, late: here it is.",
                            author=CUSTOMER)

    assert added.outcome == FOLLOW_UP and added.ticket.follow_up_of == number
    assert "Sorry, late" not in " ".join(
        m.body for m in desk.services.store.list_messages(number))
    assert added.ticket.number in agent_queue(desk)
