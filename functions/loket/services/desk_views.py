"""The agent desk's views and ticket search: what an agent sees of the products on
their review board (their rights), never more. Each product is one indexed store call
(storage/desk_queries.py); pages of several products merge by their sort key, so the
cursor works across products.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from loket.domain.desk_queues import at_risk_bound
from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.tickets import StatusCategory, Ticket
from loket.services.context import Services
from loket.services.desk import PAGE_SIZE, is_agent
from loket.services.sessions import Viewer
from loket.storage.desk_queries import (MAX_SEARCH_WORDS, NEWEST, ORDERS, WORK, DeskView,
                                        TicketSearch, split_work_key, work_key, words)

# How long before its SLA moment a ticket counts as at risk.
AT_RISK = timedelta(hours=2)
# A view's count per product stops here ("1000+"): it costs a read of every entry
# counted on DynamoDB (storage/dynamodb_desk.py).
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class View:
    id: str
    title: str


VIEWS = (View("new", "New for my boards"), View("mine", "Mine"),
         View("unassigned", "Unassigned"), View("waiting", "Waiting on customer"),
         View("sla", "SLA at risk and breached"), View("all", "All"))
VIEW_IDS = tuple(v.id for v in VIEWS)


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    next_after: str | None  # the cursor of the next page; None on the last


def agent_products(viewer: Viewer, product: str | None) -> list[str]:
    """The agent's products, or the one asked for when it is one of them."""
    if not is_agent(viewer):
        return []
    if product:
        if product not in viewer.rights:
            raise ValidationFailed([FieldError("product", "is not one of your products")])
        return [product]
    return sorted(viewer.rights)


def view_query(services: Services, viewer: Viewer, view: str, product: str, *,
               order: str = WORK, after: str | None = None,
               limit: int = PAGE_SIZE) -> DeskView:
    """The store's query for one product's part of `view`."""
    if view not in VIEW_IDS:
        raise ValidationFailed([FieldError("view", f"must be one of: {', '.join(VIEW_IDS)}")])
    if order not in ORDERS or (view == "sla" and order != WORK):
        allowed = (WORK,) if view == "sla" else ORDERS
        raise ValidationFailed([FieldError("order", f"must be one of: {', '.join(allowed)}")])
    kind: dict = {"new": {"category": "new"}, "waiting": {"category": "pending"},
                  "mine": {"owner": viewer.account.email}, "unassigned": {"owner": ""},
                  "sla": {"due_by": at_risk_bound(services.clock.now() + AT_RISK)},
                  "all": {}}[view]
    return DeskView(product, order=order, after=checked_cursor(after, order),
                    limit=limit, **kind)


def checked_cursor(after: str | None, order: str) -> str | None:
    if not after:
        return None
    try:
        if order == WORK:
            split_work_key(after)
        elif not after.isdigit() or len(after) > 18:
            raise ValueError(after)
    except ValueError:
        raise ValidationFailed([FieldError("after", "is not a page of this view")]) from None
    return after


def view_page(services: Services, viewer: Viewer, view: str, *, product: str | None = None,
              order: str = WORK, after: str | None = None,
              limit: int = PAGE_SIZE) -> Page:
    found: list[Ticket] = []
    for one in agent_products(viewer, product):
        found += services.store.desk_view(view_query(services, viewer, view, one,
                                                     order=order, after=after, limit=limit))
    found.sort(key=sort_key(order))
    more = len(found) > limit
    return Page(found[:limit], cursor_of(found[limit - 1], order) if more else None)


def sort_key(order: str):
    if order == WORK:
        return lambda t: work_key(t.queue_order or "", t.number)
    return (lambda t: -t.number) if order == NEWEST else (lambda t: t.number)


def cursor_of(ticket: Ticket, order: str) -> str:
    return work_key(ticket.queue_order or "", ticket.number) if order == WORK \
        else str(ticket.number)


@dataclass(frozen=True)
class Count:
    value: int
    more: bool  # some product counted up to COUNT_LIMIT and stopped

    def __str__(self) -> str:
        return f"{self.value}+" if self.more else str(self.value)


def view_counts(services: Services, viewer: Viewer,
                product: str | None = None) -> dict[str, Count]:
    """Each view's count: one count per product, from the view's index."""
    counts = {}
    for view in VIEW_IDS:
        per_product = [services.store.count_desk_view(
            view_query(services, viewer, view, one), COUNT_LIMIT)
            for one in agent_products(viewer, product)]
        counts[view] = Count(sum(per_product), any(n >= COUNT_LIMIT for n in per_product))
    return counts


# -- search ---------------------------------------------------------------------------------

SEARCH_FIELDS = ("q", "requester", "organization", "status", "priority", "product",
                 "from", "to")


@dataclass(frozen=True)
class SearchResult:
    tickets: list[Ticket]
    next_before: int | None
    number: int | None = None  # the ticket a number in `q` named, when the agent may see it


def search(services: Services, viewer: Viewer, form: dict[str, str], *,
           before: int | None = None, limit: int = PAGE_SIZE) -> SearchResult:
    """Tickets of the agent's products matching every field given (SEARCH_FIELDS); a
    number (with or without #) in `q` finds that ticket."""
    q = form.get("q", "").strip()
    number = q.lstrip("#")
    if number.isdigit() and len(number) <= 18:
        ticket = services.store.get_ticket(int(number))
        seen = ticket is not None and viewer.may_see(ticket) and is_agent(viewer)
        return SearchResult([ticket] if seen else [], None, int(number) if seen else None)
    query = search_query(services, viewer, form, q, before, limit)
    found = services.store.search_tickets(query)
    more = len(found) > limit
    return SearchResult(found[:limit], found[limit - 1].number if more else None)


def search_query(services: Services, viewer: Viewer, form: dict[str, str], q: str,
                 before: int | None, limit: int) -> TicketSearch:
    errors: list[FieldError] = []
    config = services.config
    status = form.get("status") or None
    if status and status not in config.statuses:
        errors.append(FieldError("status", "is not one of the workflow's statuses"))
    priority = form.get("priority") or None
    sla = config.workflow.sla
    if priority and (sla is None or priority not in sla.priorities):
        errors.append(FieldError("priority", "is not one of the SLA's priorities"))
    found_words = words(q)
    if len(found_words) > MAX_SEARCH_WORDS:
        errors.append(FieldError("q", f"at most {MAX_SEARCH_WORDS} words"))
    tz = config.workflow.calendar.zone
    start, end = (day_start(form.get(name, ""), name, tz, errors) for name in ("from", "to"))
    try:
        products = frozenset(agent_products(viewer, form.get("product") or None))
    except ValidationFailed as exc:
        errors += exc.errors
        products = frozenset()
    if errors:
        raise ValidationFailed(errors)
    return TicketSearch(
        products, words=tuple(found_words), requester=form.get("requester", "").strip() or None,
        organization=form.get("organization", "").strip() or None, status=status,
        category=index_category(config.statuses[status].category) if status else None,
        priority=priority, created_from=start,
        created_before=end + timedelta(days=1) if end else None, before=before, limit=limit)


def index_category(category: StatusCategory) -> str | None:
    """The desk category that holds every ticket of a status of `category`: the store
    may read that index. None for open: an unanswered open ticket counts as new
    (domain/desk_queues.py), so the product's index is read instead."""
    return None if category is StatusCategory.OPEN else category.value


def day_start(text: str, field: str, tz, errors: list[FieldError]) -> datetime | None:
    """The start of a day (YYYY-MM-DD) in the business calendar's time zone, in UTC."""
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        errors.append(FieldError(field, "must be a date as YYYY-MM-DD"))
        return None
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)
