"""Agents' e-mails (#12): a new ticket for their boards, a customer's reply on a ticket
assigned to them and an assignment, each as they chose in their account settings; and
an agent's answer to such an e-mail landing on the ticket as their reply, or as an
internal note with the marker, through the mail-in path, which no customer can use to
post as an agent."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from loket.domain.accounts import AgentNotices
from loket.domain.tickets import AuthorRole
from loket.services.agent_mail_in import split_marker
from loket.services.assignment import assign_from_list
from loket.services.information import add_information
from loket.services.mail_in import take_in_mail
from loket.services.submission import submit_ticket
from tests.accounts.conftest import csrf_of
from tests.api.conftest import VALID
from tests.desk.conftest import AGENT, ANN, PAYROLL_AGENT, sign_in_as
from tests.mail.conftest import make_mail

SUPPORT = "support@nordwind.example"


def choose(services, email=AGENT, **choices):
    account = services.store.get_account(email)
    services.store.save_account(replace(account, agent_notices=replace(
        account.agent_notices, **choices)))


def submit(services, product="planner", email=ANN):
    return submit_ticket(services, {**VALID, "email": email, "product": product,
                                    "description": "Export stops at 50%."},
                         client_address="test:notices").ticket


def mails_to(outbox, address, kind_word=""):
    return [m for m in outbox.messages() if m["To"] == address and kind_word in m["Subject"]]


def assigned_ticket(services):
    ticket = submit(services)
    assign_from_list(services, ticket.number, AGENT, by=PAYROLL_AGENT)
    return ticket


def answer(notice, *, sender=AGENT, body="We are on it.", headers=None):
    """The agent's mail program answering `notice`: Re: its subject, threaded under it."""
    return make_mail(sender=sender, subject=f"Re: {notice['Subject']}",
                     body=f"{body}\n\nOn Thursday Loket wrote:\n> {notice['Subject']}\n",
                     headers={"In-Reply-To": notice["Message-ID"].strip(),
                              "References": f"{notice['In-Reply-To']} {notice['Message-ID'].strip()}",
                              **(headers or {})})


def last_message(services, number):
    return services.store.list_messages(number)[-1]


def test_new_tickets_reach_the_boards_agents_who_asked_for_them(desk_services, outbox):
    services = desk_services
    submit(services)
    assert mails_to(outbox, AGENT, "New ticket") == []  # off unless chosen
    choose(services, new_tickets=True)
    choose(services, PAYROLL_AGENT, new_tickets=True)
    ticket = submit(services)
    [notice] = mails_to(outbox, AGENT, f"[#{ticket.number}] New ticket")
    text = notice.get_body(("plain",)).get_content()
    assert "Export stops at 50%." in text and f"/desk/tickets/{ticket.number}" in text
    assert "#note" in text  # how to answer with an internal note
    assert notice["Message-ID"].strip().startswith(f"<agent-{ticket.number}.")
    assert notice["In-Reply-To"] == f"<ticket-{ticket.number}@nordwind.example>"
    # The payroll agent is not on the planner board.
    assert mails_to(outbox, PAYROLL_AGENT, f"[#{ticket.number}]") == []


def test_a_customer_reply_reaches_the_assigned_agent_if_they_asked(desk_services, outbox):
    services = desk_services
    unassigned = submit(services)
    add_information(services, unassigned, "Any news?", author=ANN)
    assert mails_to(outbox, AGENT, "Customer replied") == []
    ticket = assigned_ticket(services)
    add_information(services, services.store.get_ticket(ticket.number),
                    "It fails at 50% again.", author=ANN)
    [notice] = mails_to(outbox, AGENT, f"[#{ticket.number}] Customer replied")
    assert "It fails at 50% again." in notice.get_body(("plain",)).get_content()
    choose(services, customer_replies=False)
    add_information(services, services.store.get_ticket(ticket.number), "Hello?", author=ANN)
    assert len(mails_to(outbox, AGENT, f"[#{ticket.number}] Customer replied")) == 1


def test_an_assignment_is_e_mailed_unless_the_agent_turned_it_off(desk_services, outbox):
    services = desk_services
    ticket = assigned_ticket(services)
    [mail] = mails_to(outbox, AGENT, "Assigned")
    assert mail["Message-ID"].strip().startswith(f"<agent-{ticket.number}.")
    choose(services, assignments=False)
    other = submit(services)
    assign_from_list(services, other.number, AGENT, by=PAYROLL_AGENT)
    assert len(mails_to(outbox, AGENT, "Assigned")) == 1


def test_the_agents_answer_to_a_notice_is_their_public_reply(desk_services, outbox):
    services = desk_services
    ticket = assigned_ticket(services)
    [notice] = mails_to(outbox, AGENT, "Assigned")
    before = len(mails_to(outbox, ANN))
    raw = answer(notice)
    decision = take_in_mail(services, raw)
    assert (decision.action, decision.ticket) == ("reply", ticket.number), decision
    message = last_message(services, ticket.number)
    assert (message.role, message.author, message.public) == (AuthorRole.AGENT, AGENT, True)
    assert message.body == "We are on it."  # the quoted notice cut off
    [reply] = mails_to(outbox, ANN)[before:]
    assert "We are on it." in reply.get_body(("plain",)).get_content()
    # Delivered again: nothing twice.
    again = take_in_mail(services, raw)
    assert again.action == "reply" and "already" in again.reason
    assert len(services.store.list_messages(ticket.number)) == 2


def test_an_answer_starting_with_the_marker_is_an_internal_note(desk_services, outbox):
    services = desk_services
    ticket = assigned_ticket(services)
    [notice] = mails_to(outbox, AGENT, "Assigned")
    before = len(mails_to(outbox, ANN))
    decision = take_in_mail(services, answer(notice, body="#NOTE: checked the logs, DB lock."))
    assert decision.action == "reply" and "internal note" in decision.reason
    message = last_message(services, ticket.number)
    assert (message.role, message.public, message.body) == (
        AuthorRole.AGENT, False, "checked the logs, DB lock.")
    assert len(mails_to(outbox, ANN)) == before  # the customer hears nothing


def test_the_marker_is_only_a_marker_at_the_start():
    assert split_marker("  #note\nInternal.", "#note") == ("Internal.", True)
    assert split_marker("#notes are nice", "#note") == ("#notes are nice", False)
    assert split_marker("See #note below", "#note") == ("See #note below", False)


def test_no_customer_can_post_as_an_agent(desk_services, outbox):
    services = desk_services
    ticket = assigned_ticket(services)
    [notice] = mails_to(outbox, AGENT, "Assigned")
    count = len(services.store.list_messages(ticket.number))
    # From the agent's address, but threaded on what every customer has (the thread
    # root and the [#N] tag): not an agent's answer, so a ticket of its own.
    forged = make_mail(sender=AGENT, subject=f"Re: [#{ticket.number}] Export",
                       body="Closing this.", headers={
                           "References": f"<ticket-{ticket.number}@nordwind.example>"})
    assert take_in_mail(services, forged).action == "new-ticket"
    # A made-up signature, or the notice's id with another sender.
    signed = notice["Message-ID"].strip()
    signature = signed.split(".")[2].split("@")[0]
    made_up = signed.replace(signature, "0" * 32 if signature != "0" * 32 else "1" * 32)
    assert re.fullmatch(r"<agent-\d+\.[0-9a-f]{12}\.[0-9a-f]{32}@nordwind\.example>", made_up)
    assert take_in_mail(services, make_mail(sender=AGENT, headers={
        "In-Reply-To": made_up}, subject="x", body="Hi")).action == "new-ticket"
    decision = take_in_mail(services, answer(notice, sender=ANN, body="Ann, not the agent"))
    assert decision.action == "reply"  # Ann's own ticket: her reply, as the customer
    message = last_message(services, ticket.number)
    assert message.role is AuthorRole.CUSTOMER and message.author == ANN
    assert len(services.store.list_messages(ticket.number)) == count + 1


def test_an_answer_failing_dmarc_is_held_for_an_agent(desk_services, outbox):
    services = desk_services
    ticket = assigned_ticket(services)
    [notice] = mails_to(outbox, AGENT, "Assigned")
    decision = take_in_mail(services, answer(notice, headers={
        "Authentication-Results": "mx.nordwind.example; dmarc=fail header.from=nordwind.example"}))
    assert decision.action == "refused" and "DMARC" in decision.reason
    assert len(services.store.list_messages(ticket.number)) == 1


def test_an_agent_no_longer_on_the_board_is_refused(desk_services, outbox):
    services = desk_services
    ticket = assigned_ticket(services)
    [notice] = mails_to(outbox, AGENT, "Assigned")
    account = services.store.get_account(AGENT)
    services.store.save_account(replace(account, products=frozenset({"payroll"})))
    decision = take_in_mail(services, answer(notice))
    assert decision.action == "refused" and "no longer an agent" in decision.reason
    assert len(services.store.list_messages(ticket.number)) == 1


def test_the_account_page_lets_an_agent_choose_and_shows_customers_nothing(
        desk_services, client):
    csrf = sign_in_as(desk_services, client, AGENT)
    page = client.get("/portal/account").get_data(as_text=True)
    assert 'name="new_tickets"' in page and 'name="customer_replies" value="on" checked' in page
    client.post("/portal/account", data={"csrf_token": csrf, "new_tickets": "on",
                                         "assignments": "on", "reminders": "on"})
    assert desk_services.store.get_account(AGENT).agent_notices == AgentNotices(
        new_tickets=True, customer_replies=False, assignments=True, sla_warnings=False)
    customer = client.application.test_client()
    sign_in_as(desk_services, customer, ANN)
    assert 'name="new_tickets"' not in customer.get("/portal/account").get_data(as_text=True)
