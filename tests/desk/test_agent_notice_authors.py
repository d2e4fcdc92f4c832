"""Agents' notices (#12) say who wrote the text they quote (data `author`), so that
erasing a person removes the words they wrote from notices that wait, and only those
(services/erase.py; tests/contract/test_erase_mail_words_contract.py)."""

from __future__ import annotations

from loket.services.agent_notices import INTENT
from loket.services.information import add_information
from tests.desk.conftest import AGENT, ANN
from tests.desk.test_agent_notices import assigned_ticket, choose

COLLEAGUE = "kees@example.org"


def waiting(services, kind):
    return [m for m in services.store.list_mail(True, limit=1000) if m.kind == kind]


def test_a_new_tickets_record_names_its_customer_as_the_author(desk_services):
    services = desk_services
    choose(services, new_tickets=True)
    ticket = assigned_ticket(services)
    [record] = [m for m in waiting(services, INTENT) if m.ticket == ticket.number]
    assert record.data["author"] == record.data["customer"] == ANN


def test_a_customer_reply_notice_names_who_replied(desk_services):
    services = desk_services
    ticket = assigned_ticket(services)
    add_information(services, services.store.get_ticket(ticket.number),
                    "It fails at 50% again.", author=COLLEAGUE)
    [notice] = [m for m in waiting(services, "agent-notice")
                if m.to == AGENT and m.data["event"] == "customer-reply"]
    assert notice.data["text"] == "It fails at 50% again."
    assert notice.data["author"] == COLLEAGUE and notice.data["customer"] == ANN
