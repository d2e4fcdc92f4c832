"""Retention of closed tickets (portal.yml `retention: closed_ticket_months`; README.md,
"Retention"): a ticket closed (or cancelled) that many months ago loses its personal
data; what the vendor counts stays.

The moment is part of the ticket's `due_at` (domain/workflow.py), so it is worked out
again on every change: closing starts it, reopening cancels it, and the sweeper finds
it through the same due index as the timers. Pure: no I/O, the moment passed in.
"""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterable, Sequence

from loket.domain.events import SYSTEM, EventKind, TicketEvent, event_key
from loket.domain.tickets import AuthorRole, Message, StatusCategory, Ticket

# Categories in which a ticket is finished: its retention runs from when it entered one.
FINISHED = frozenset({StatusCategory.CLOSED, StatusCategory.CANCELLED})
# Kept in the ticket's timers_fired (timer ids never hold a colon), as the workflow's own
# marks are: the data went, so nothing more is due. A move clears it with the timers.
REMOVED_AT = "personal-data-removed-at:"
REMOVED_TEXT = "[removed after the retention period]"
# Form field types whose values are picked from the form, never typed: kept for reports.
COUNTABLE_FIELD_TYPES = frozenset({"choice", "integer", "datetime"})
# Event details that name statuses, agents, targets or other tickets, never the customer's
# words; every other detail (an excerpt, a comment) is removed.
PLAIN_DETAILS = frozenset({"status", "old", "new", "cause", "other", "issue", "release",
                           "rating", "timer", "target", "channel", "impact", "urgency",
                           "files"})


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` that many calendar months later, on the month's last day when the day
    is not in it (31 January + 1 month is 28 or 29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def removal_at(ticket: Ticket, category: StatusCategory, months: int | None) -> datetime | None:
    """When the finished ticket's personal data goes; None when it is not finished,
    retention is off, or the data went already."""
    if months is None or category not in FINISHED or removed(ticket):
        return None
    return add_months(ticket.entered_status_at, months)


def removed(ticket: Ticket) -> bool:
    return any(mark.startswith(REMOVED_AT) for mark in ticket.timers_fired)


def placeholder() -> str:
    """An address that leads to no one: one per ticket here, one per person erased
    (services/erase.new_placeholder asks here, so both have this one form)."""
    return f"erased-{secrets.token_hex(6)}@erased.invalid"


@dataclass(frozen=True)
class Stripped:
    """A ticket with its parts after retention, and the blobs its files were."""

    ticket: Ticket
    messages: tuple[Message, ...]
    events: tuple[TicketEvent, ...]
    rating: object | None
    blob_keys: tuple[str, ...]


def strip_ticket(ticket: Ticket, messages: Sequence[Message], events: Sequence[TicketEvent],
                 rating, *, countable_fields: Iterable[str], now: datetime,
                 stand_in: str | None = None) -> Stripped:
    """The ticket as retention leaves it (one version on): the customers' addresses
    become `stand_in`, every text written is replaced, files go; number, product, type,
    status, dates, SLA figures, assignee and rating score stay. An event says so."""
    stand_in = stand_in or placeholder()
    people = _customers(ticket, messages, events)
    kept = set(countable_fields)
    saved = replace(
        ticket, email=stand_in, subject=REMOVED_TEXT, access_key=secrets.token_urlsafe(24),
        fields={k: v for k, v in ticket.fields.items() if k in kept},
        timers_fired=ticket.timers_fired + (REMOVED_AT + now.isoformat(),),
        version=ticket.version + 1)
    blob_keys = tuple(key for m in messages for a in m.attachments
                      for key in (a.key, a.thumbnail_key) if key)
    stripped_messages = tuple(replace(
        m, body=REMOVED_TEXT, attachments=(),
        author=stand_in if m.role is AuthorRole.CUSTOMER or m.author in people else m.author)
        for m in messages)
    stripped_events = tuple(_strip_event(e, people, stand_in) for e in events)
    if not _removal_recorded(stripped_events, saved.version):
        stripped_events += (TicketEvent(ticket.number, now, SYSTEM.name, SYSTEM.role,
                                        EventKind.PERSONAL_DATA_REMOVED, {},
                                        event_key(now, saved.version, 0)),)
    if rating is not None:
        rating = replace(rating, comment="",
                         by=stand_in if "@" in str(rating.by) else rating.by)
    return Stripped(saved, stripped_messages, stripped_events, rating, blob_keys)


def _removal_recorded(events: Sequence[TicketEvent], version: int) -> bool:
    """Whether `events` hold this removal's event already: a rewrite that crashed after
    writing the events (each on its own key, before the ticket) left it, and the ticket
    is still at the version before. The round that resumes, maybe at another moment,
    keeps that one rather than adding a second under a key of its own moment."""
    return any(e.kind is EventKind.PERSONAL_DATA_REMOVED and
               e.key.split("#")[1:2] == [f"{version:012d}"] for e in events)


def _customers(ticket: Ticket, messages: Sequence[Message],
               events: Sequence[TicketEvent]) -> set[str]:
    """Every customer address the ticket holds (the requester, colleagues who wrote)."""
    found = {ticket.email}
    found |= {m.author for m in messages if m.role is AuthorRole.CUSTOMER}
    found |= {e.by for e in events if e.role is AuthorRole.CUSTOMER}
    return {address for address in found if address}


def _strip_event(event: TicketEvent, people: set[str], stand_in: str) -> TicketEvent:
    def plain(value: str) -> str:
        for person in people:
            value = value.replace(person, stand_in)
        return value

    detail = {key: plain(value) if key in PLAIN_DETAILS else
              (stand_in if key == "for" else REMOVED_TEXT)
              for key, value in event.detail.items() if value != ""}
    by = stand_in if event.role is AuthorRole.CUSTOMER or event.by in people else event.by
    return replace(event, by=by, detail=detail)
