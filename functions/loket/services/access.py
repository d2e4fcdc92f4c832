"""Who may open a ticket, and the "my tickets" list.

A ticket opens with its secret link (the token in every e-mail, for anonymous
submitters too) or for a signed-in viewer the rights allow (domain/accounts.may_see).
Anything else answers TicketNotFound, exactly as a number that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loket.domain.accounts import Visibility
from loket.domain.errors import FieldError, Refused, TicketNotFound, ValidationFailed
from loket.domain.tickets import RESOLVED, Ticket, is_ticket_number
from loket.services.context import Services
from loket.services.sessions import Viewer
from loket.storage.account_records import TicketQuery

PAGE_SIZE = 25
MAX_QUERY_LENGTH = 200
# Status filters besides single status ids: every status not yet resolved, or resolved.
STATUS_GROUPS = ("active", "resolved")
_NUMBER = re.compile(r"^#?\s*(\d{1,12})$")


def open_ticket_as(services: Services, number: int, *, token: str | None = None,
                   viewer: Viewer | None = None) -> Ticket:
    """The ticket, if the token opens it or the viewer may see it."""
    ticket = services.store.get_ticket(number) if is_ticket_number(number) else None
    if ticket is None:
        raise TicketNotFound(number)
    if ticket.opens_with(token) or (viewer is not None and viewer.may_see(ticket)):
        return ticket
    raise TicketNotFound(number)


def open_for_customer(services: Services, number: int, *, token: str | None = None,
                      viewer: Viewer | None = None) -> Ticket:
    """The ticket, for a customer's own moves (add information, close, reopen, rate).
    An agent who may see it is refused with a reason: they answer from the agent desk."""
    ticket = open_ticket_as(services, number, token=token, viewer=viewer)
    if viewer is not None and viewer.account.is_agent and not ticket.opens_with(token):
        raise Refused("Agents answer tickets from the agent desk, not as the customer.",
                      kind="agents-answer-elsewhere")
    return ticket


@dataclass(frozen=True, eq=False)
class TicketList:
    tickets: list[Ticket]
    # The number to continue after for the next page; None on the last page.
    next_after: int | None
    scope: Visibility


def my_tickets(services: Services, viewer: Viewer, *, q: str | None = None,
               status: str | None = None, oldest_first: bool = False,
               after: int | None = None, limit: int = PAGE_SIZE) -> TicketList:
    """A page of the tickets the viewer may see: their own, or (when the organization
    lets colleagues see each other's) all of the organization's, of the products they
    have rights to. `q` is a ticket number or a part of the subject; `status` a status
    id or a group (active, resolved). One store call per page (plus one for a number)."""
    q = (q or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise ValidationFailed([FieldError("q", f"is too long (at most {MAX_QUERY_LENGTH})")])
    statuses = statuses_of(services, status)
    org = viewer.organization
    scope = (Visibility.ORGANIZATION if org is not None and not viewer.account.is_agent
             and org.visibility is Visibility.ORGANIZATION else Visibility.OWN)
    number = _NUMBER.match(q)
    if number:
        return TicketList(_by_number(services, viewer, int(number.group(1)), statuses), None, scope)
    query = TicketQuery(products=viewer.rights, statuses=statuses, text=q or None,
                        limit=limit, newest_first=not oldest_first, after=after,
                        **({"organization": org.id} if scope is Visibility.ORGANIZATION
                           else {"account": viewer.account.email}))
    found = services.store.list_tickets(query)
    more = len(found) > limit
    return TicketList(found[:limit], found[limit - 1].number if more else None, scope)


def status_choices(services: Services) -> list[str]:
    return [*STATUS_GROUPS, *services.config.statuses]


def statuses_of(services: Services, status: str | None) -> frozenset[str] | None:
    """The statuses a customer's filter means: a group ("active", "resolved") or one
    status; None for no filter. An unknown one is a 422 naming `status`."""
    if not status:
        return None
    config = services.config.statuses
    if status == "active":
        return frozenset(s for s, v in config.items() if v.category not in RESOLVED)
    if status == "resolved":
        return frozenset(s for s, v in config.items() if v.category in RESOLVED)
    if status in config:
        return frozenset({status})
    raise ValidationFailed([FieldError("status", (
        f"must be one of: {', '.join(status_choices(services))}"))])


def _by_number(services: Services, viewer: Viewer, number: int,
               statuses: frozenset[str] | None) -> list[Ticket]:
    ticket = services.store.get_ticket(number) if is_ticket_number(number) else None
    if ticket is None or not viewer.may_see(ticket):
        return []
    return [ticket] if statuses is None or ticket.status in statuses else []
