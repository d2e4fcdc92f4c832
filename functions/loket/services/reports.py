"""Reading what the satisfaction report needs (domain/reports.py): the tickets of the
agent's products submitted in the last weeks, from the product index (newest first,
a page of 100 at a time, stopping at the first ticket older than the window; never a
scan), and each resolved ticket's rating (one read each: only solved or closed
tickets can have one). An agent sees only their products."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.reports import UNASSIGNED, Rated, Row, satisfaction, week_of
from loket.domain.tickets import RESOLVED, Ticket
from loket.services.context import Services
from loket.services.sessions import Viewer
from loket.storage.account_records import TicketQuery

DEFAULT_WEEKS, MAX_WEEKS = 8, 26
# A report reads at most this many tickets per product; beyond it says it is cut short.
MAX_TICKETS = 5_000
PAGE = 100


@dataclass(frozen=True)
class Report:
    weeks: int
    products: list[str]
    by_product: list[Row]
    by_agent: list[Row]
    cut_short: list[str]    # products with more tickets in the window than were read


def weeks_asked(text: str | None) -> int:
    if not text:
        return DEFAULT_WEEKS
    if not text.isdigit() or not 1 <= int(text) <= MAX_WEEKS:
        raise ValidationFailed([FieldError("weeks", f"must be a number from 1 to {MAX_WEEKS}")])
    return int(text)


def satisfaction_report(services: Services, viewer: Viewer, *, weeks: int = DEFAULT_WEEKS,
                        product: str | None = None) -> Report:
    products = sorted(viewer.rights)
    if product:
        if product not in viewer.rights:
            raise ValidationFailed([FieldError("product", "is not one of your products")])
        products = [product]
    calendar = services.config.workflow.calendar
    start = week_of(services.clock.now(), calendar) - timedelta(weeks=weeks - 1)
    rated, cut_short = [], []
    for one in products:
        tickets, complete = _tickets_since(services, viewer, one, start, calendar)
        rated += [(t, _rating(services, t)) for t in tickets]
        if not complete:
            cut_short.append(one)
    resolved = lambda t: services.config.status(t.status).category in RESOLVED  # noqa: E731
    common = {"calendar": calendar, "resolved": resolved}
    return Report(weeks, products,
                  satisfaction(rated, group=lambda t: t.product, **common),
                  satisfaction(rated, group=lambda t: t.assignee or UNASSIGNED, **common),
                  cut_short)


def _tickets_since(services, viewer, product, start, calendar) -> tuple[list[Ticket], bool]:
    found: list[Ticket] = []
    after = None
    while len(found) < MAX_TICKETS:
        page = services.store.list_tickets(TicketQuery(
            frozenset(viewer.rights), product=product, limit=PAGE, after=after))
        for ticket in page[:PAGE]:
            if week_of(ticket.created_at, calendar) < start:
                return found, True
            found.append(ticket)
        if len(page) <= PAGE:
            return found, True
        after = page[PAGE - 1].number
    return found, False


def _rating(services: Services, ticket: Ticket) -> Rated | None:
    if services.config.status(ticket.status).category not in RESOLVED:
        return None
    rating = services.store.get_rating(ticket.number)
    return Rated(ticket.number, rating.good, rating.comment) if rating else None
