"""Looking a ticket up by number and its secret access key."""

from __future__ import annotations

from dataclasses import dataclass

from loket.domain.errors import TicketNotFound
from loket.domain.tickets import Message, Status, Ticket
from loket.services.context import Services


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    status: Status
    messages: list[Message]


def open_ticket(services: Services, number: int, token: str | None) -> Ticket:
    """The ticket, if `token` is its access key; a wrong token answers as a missing ticket."""
    ticket = services.store.get_ticket(number)
    if ticket is None or not ticket.opens_with(token):
        raise TicketNotFound(number)
    return ticket


def view_of(services: Services, ticket: Ticket) -> TicketView:
    """The ticket with its public messages, for someone already allowed to see it."""
    messages = [m for m in services.store.list_messages(ticket.number) if m.public]
    return TicketView(ticket, services.config.status(ticket.status), messages)


def look_up_ticket(services: Services, number: int, token: str | None) -> TicketView:
    """The ticket and its public messages; a wrong token answers as a missing ticket."""
    return view_of(services, open_ticket(services, number, token))
