"""Assigning a ticket from a list: the agents on its product's board and the teams of
portal.yml (`teams:`) that serve its product. Any other name is refused, naming the
field; the assignee (the agent, or the team's address) is e-mailed in the same write
as the assignment (a queued mail; services/mail_dispatch.py sends it).
"""

from __future__ import annotations

from dataclasses import dataclass

from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.events import Actor
from loket.domain.tickets import AuthorRole
from loket.domain.tickets import Ticket
from loket.mail.compose import letter
from loket.mail.notices import thread_root
from loket.services.agent_notices import signed_message_id, wants_assignments
from loket.services.changes import change_ticket
from loket.services.context import Services


@dataclass(frozen=True)
class Assignee:
    value: str      # what the ticket keeps: the agent's address, or the team's id
    text: str       # what the list shows
    email: str      # who is told
    language: str


def assignees(services: Services, product: str, lang: str = "en") -> list[Assignee]:
    """Who a ticket of `product` may be assigned to: its board's active agents, then
    its teams. Only the vendor's own accounts are read (store.list_agents: one indexed
    query, however many customers there are), never the tickets."""
    agents = [Assignee(a.email, f"{a.name} <{a.email}>" if a.name != a.email else a.email,
                       a.email, a.language)
              for a in services.store.list_agents()
              if a.is_agent and a.active and product in a.products]
    teams = [Assignee(t.id, f"{t.name.get(lang)} (team)", t.email, lang)
             for t in services.config.teams.values() if product in t.products]
    return sorted(agents, key=lambda a: a.text.lower()) + teams


def assign_from_list(services: Services, number: int, name: str, *, by: str) -> Ticket:
    """Assign the ticket to `name`, one of `assignees()`; else ValidationFailed on
    `assignee`. The assignee hears of it unless they assigned it to themselves."""
    ticket = services.store.get_ticket(number)
    if ticket is None:
        from loket.domain.errors import TicketNotFound

        raise TicketNotFound(number)
    choices = {a.value: a for a in assignees(services, ticket.product)}
    chosen = choices.get((name or "").strip().lower()) or choices.get((name or "").strip())
    if chosen is None:
        raise ValidationFailed([FieldError(
            "assignee", f"'{name}' is not an agent or team of this product: choose one of "
                        + ", ".join(choices) if choices else
                        f"'{name}' is not an agent or team of this product, and it has none")])
    workflow = services.config.workflow

    def mails(stored: Ticket, changes):
        if chosen.email == by or stored.assignee == ticket.assignee:
            return []
        if not wants_assignments(services, chosen.email):
            return []  # The agent turned these e-mails off in their settings (#12).
        return [assignment_email(services, stored, chosen, by)]

    return change_ticket(services, number,
                         lambda t, now: workflow.assign(t, chosen.value, now),
                         by=Actor(by, AuthorRole.AGENT), mails=mails).ticket


def assignment_email(services: Services, ticket: Ticket, to: Assignee, by: str):
    from loket.domain.forms import LANGUAGES

    config, lang = services.config, to.language if to.language in LANGUAGES else "en"
    data = {"vendor": config.vendor, "number": ticket.number, "subject": ticket.subject,
            "product": config.products[ticket.product].get(lang),
            "status": config.status(ticket.status).agent_label(lang),
            "priority": ticket.priority, "assignee": to.text, "by": by,
            "customer": ticket.email,
            "desk_url": f"{services.base_url.rstrip('/')}/desk/tickets/{ticket.number}"}
    # Signed for the assignee: their answer to it becomes their reply (#12).
    return letter("assignment", lang=lang, mail_from=services.mail_from, to=to.email,
                  data=data, thread_root=thread_root(services, ticket.number),
                  message_id=signed_message_id(services, ticket.number, to.email),
                  ticket=ticket.number, created_at=services.clock.now())
