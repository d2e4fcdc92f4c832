"""Reopening: a solved or closed ticket is reopened within `accounts.reopen_within_days`
of being solved (through the workflow's customer-reopens event); after that, or when
the workflow has no way back from its status, the customer gets a follow-up ticket
that names the old one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from loket.domain.errors import TransitionRefused
from loket.domain.text import has_visible_character
from loket.domain.tickets import StatusCategory, Ticket
from loket.services.context import Services
from loket.services.sessions import Viewer
from loket.services.status import reopen_ticket
from loket.services.submission import submit_ticket

FINISHED = frozenset({StatusCategory.SOLVED, StatusCategory.CLOSED})
MAX_SUBJECT = 150


@dataclass(frozen=True)
class Reopened:
    ticket: Ticket           # the reopened ticket, or the new follow-up
    follow_up: bool


def may_reopen_in_place(services: Services, ticket: Ticket) -> bool:
    """Whether the reopening period still runs for this ticket."""
    if services.config.status(ticket.status).category not in FINISHED:
        return True  # Not finished: the workflow alone decides.
    period = timedelta(days=services.config.accounts.reopen_within_days)
    return services.clock.now() - ticket.entered_status_at <= period


def reopen_or_follow_up(services: Services, ticket: Ticket, *, body: str | None,
                        viewer: Viewer | None, client_address: str) -> Reopened:
    finished = services.config.status(ticket.status).category in FINISHED
    if may_reopen_in_place(services, ticket):
        try:
            return Reopened(reopen_ticket(services, ticket.number, body=body, ticket=ticket),
                            False)
        except TransitionRefused:
            if not finished:
                raise
    return Reopened(follow_up(services, ticket, body=body, viewer=viewer,
                              client_address=client_address), True)


def follow_up(services: Services, ticket: Ticket, *, body: str | None, viewer: Viewer | None,
              client_address: str, idempotency_key: str | None = None) -> Ticket:
    """A new ticket for the same product and submitter, linked to the old one. With an
    `idempotency_key` (a mail's), a repeat finds the follow-up made the first time."""
    subject = f"Follow-up to #{ticket.number}: {ticket.subject}"
    if len(subject) > MAX_SUBJECT:
        subject = subject[:MAX_SUBJECT - 1] + "…"
    text = body if isinstance(body, str) and has_visible_character(body) else \
        f"The problem of ticket #{ticket.number} is back."
    data = {**ticket.fields, "email": ticket.email, "product": ticket.product,
            "type": ticket.type, "subject": subject, "description": text,
            "language": ticket.language}
    receipt = submit_ticket(services, data, client_address=client_address, viewer=viewer,
                            follow_up_of=ticket.number, idempotency_key=idempotency_key)
    return receipt.ticket
