"""Canned replies on the desk (#12): the list for a ticket, each in the ticket's
language (English where a reply has no text in it), with its placeholders filled
in for that ticket and agent; and a reply put into the text an agent is writing."""

from __future__ import annotations

from dataclasses import dataclass

from loket.domain.accounts import Account, email_key
from loket.domain.canned_replies import CannedReply
from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.tickets import Ticket
from loket.services.context import Services

FIELD = "canned_reply"


@dataclass(frozen=True)
class Choice:
    id: str
    title: str
    text: str  # filled in for the ticket


def choices(services: Services, ticket: Ticket, agent: Account) -> list[Choice]:
    """The replies an agent may insert on this ticket, by title. The customer's
    account is read only when there are replies to fill in."""
    replies = services.config.canned_replies
    if not replies:
        return []
    values = placeholders(services, ticket, agent)
    found = [_in_language(versions, ticket.language) for versions in replies.values()]
    return sorted((Choice(r.id, r.title, r.filled(values)) for r in found),
                  key=lambda c: c.title.casefold())


def insert(services: Services, ticket: Ticket, agent: Account, reply_id: object,
           body: str) -> str:
    """`body` with the chosen reply added below what is written already."""
    chosen = {c.id: c for c in choices(services, ticket, agent)}.get(reply_id)
    if chosen is None:
        raise ValidationFailed([FieldError(FIELD, "is not one of the canned replies")])
    written = body.rstrip()
    return f"{written}\n\n{chosen.text}" if written else chosen.text


def placeholders(services: Services, ticket: Ticket, agent: Account) -> dict[str, str]:
    customer = services.store.get_account(email_key(ticket.email))
    name = customer.name if customer is not None and customer.first_name else ticket.email
    return {"customer_name": name, "ticket_number": str(ticket.number),
            "agent_name": agent.name}


def _in_language(versions: dict[str, CannedReply], lang: str) -> CannedReply:
    return versions.get(lang) or versions["en"]
