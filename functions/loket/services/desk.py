"""The agent desk: an agent's queue and the tickets they may work on.

An agent sees every ticket of the products on their review board (their rights);
anyone else, and any other ticket, gets TicketNotFound, exactly as a number that does
not exist. The moves themselves are the workflow's use cases (services/status.py,
services/plans.py); this module only decides who may make them and what the queue
shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from loket.domain.errors import FieldError, TicketNotFound, ValidationFailed
from loket.domain.sla import SlaClock, clock_of
from loket.domain.tickets import RESOLVED, AuthorRole, StatusCategory, Ticket, is_ticket_number
from loket.services.context import Services
from loket.services.sessions import Viewer
from loket.storage.account_records import TicketQuery

PAGE_SIZE = 25
# Status filters besides single categories: what still needs work (the default), and all.
ACTIVE, ALL = "active", "all"
# A filter on one of the workflow's statuses: "status:<id>" (an id may itself be
# "active", as in the application-management preset; ids never hold a colon).
STATUS = "status:"


@dataclass(frozen=True)
class Queue:
    tickets: list[Ticket]
    # The number to continue after for the next page; None on the last page.
    next_after: int | None


def is_agent(viewer: Viewer | None) -> bool:
    return viewer is not None and viewer.account.is_agent


def is_desk_admin(services: Services, viewer: Viewer | None) -> bool:
    """An agent portal.yml names in accounts.desk_admins: they make the vendor-wide
    decisions on the desk (lifting a mail suppression, erasing a person); other agents
    get 403 there. The one check of it: both actions' pages and services ask here."""
    return is_agent(viewer) and viewer.account.email in services.config.accounts.desk_admins


def open_for_agent(services: Services, viewer: Viewer | None, number: int) -> Ticket:
    """The ticket, for an agent on its product's review board; TicketNotFound else."""
    ticket = services.store.get_ticket(number) if is_ticket_number(number) else None
    if ticket is None or not is_agent(viewer) or not viewer.may_see(ticket):
        raise TicketNotFound(number)
    return ticket


def queue(services: Services, viewer: Viewer, *, category: str = ACTIVE,
          product: str | None = None, oldest_first: bool = False, after: int | None = None,
          limit: int = PAGE_SIZE) -> Queue:
    """A page of the tickets of the agent's products (or one of them), by number. Each
    product is one indexed store call (never a scan); their pages merge by number, so
    the cursor (a number) works across products."""
    products = sorted(viewer.rights)
    if product:
        if product not in viewer.rights:
            raise ValidationFailed([FieldError("product", "is not one of your products")])
        products = [product]
    statuses = category_statuses(services, category)
    found: list[Ticket] = []
    for one in products:
        found += services.store.list_tickets(TicketQuery(
            frozenset({one}), product=one, statuses=statuses, limit=limit,
            newest_first=not oldest_first, after=after))
    found.sort(key=lambda t: t.number, reverse=not oldest_first)
    more = len(found) > limit
    return Queue(found[:limit], found[limit - 1].number if more else None)


def category_choices(services: Services) -> list[str]:
    """The filter's choices: active, all, and each of the workflow's own statuses (never
    a status the workflow does not have)."""
    return [ACTIVE, ALL, *(STATUS + s for s in services.config.statuses)]


def category_statuses(services: Services, category: str) -> frozenset[str] | None:
    """The status ids of a filter: not yet resolved (active), every one, one of the
    workflow's statuses, or (for links made before) a status category."""
    statuses = services.config.statuses
    if category == ALL:
        return None
    if category == ACTIVE:
        return frozenset(s for s, v in statuses.items() if v.category not in RESOLVED)
    if category.startswith(STATUS) and category[len(STATUS):] in statuses:
        return frozenset({category[len(STATUS):]})
    if category in set(StatusCategory):
        return frozenset(s for s, v in statuses.items() if v.category == category)
    raise ValidationFailed([FieldError(
        "category", f"must be one of: {', '.join(category_choices(services))}")])


def agent_statuses(services: Services) -> list[str]:
    """The statuses an agent may set (the workflow's `set_by`)."""
    return [s for s, v in services.config.statuses.items() if AuthorRole.AGENT in v.set_by]


def sla_clock(services: Services, ticket: Ticket) -> SlaClock:
    workflow = services.config.workflow
    resolved = workflow.status(ticket.status).category in RESOLVED
    return clock_of(ticket, workflow.sla, workflow.calendar, services.clock.now(),
                    resolved=resolved)
