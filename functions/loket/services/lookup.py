"""A ticket as its viewer sees it: the ticket, its status and its public messages.

Whether the viewer may open it at all is services/access.py's to say.
"""

from __future__ import annotations

from dataclasses import dataclass

from loket.domain.tickets import Message, Status, Ticket
from loket.services.context import Services


@dataclass(frozen=True, eq=False)
class TicketView:
    ticket: Ticket
    status: Status
    messages: list[Message]


def view_of(services: Services, ticket: Ticket) -> TicketView:
    """The ticket with its public messages, for someone already allowed to see it."""
    messages = [m for m in services.store.list_messages(ticket.number) if m.public]
    return TicketView(ticket, services.config.status(ticket.status), messages)
