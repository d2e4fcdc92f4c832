"""A ticket's timeline: append-only events, one or more for every change (who, when,
what). It is the audit trail, so the stores take no ticket change without its events
(TicketStore.save_ticket requires them and writes them in the same write) and offer
no way to change or remove one.

`events_of_change` works the events out from the ticket before and after a change,
so a change that forgets to describe itself still leaves an event ("updated"): every
caller of the store goes through services/changes.py or the sweeper, both of which
call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from typing import Mapping, Sequence

from loket.domain.frozen import make
from loket.domain.tickets import AuthorRole, Message, Ticket


class EventKind(StrEnum):
    CREATED = "created"
    STATUS = "status"
    PRIORITY = "priority"
    ASSIGNED = "assigned"
    WARRANTY = "warranty"
    CUSTOMER_MESSAGE = "customer-message"
    REPLY = "reply"
    NOTE = "note"
    REMINDER = "reminder"
    BREACH = "breach"
    MERGED_INTO = "merged-into"
    MERGED_FROM = "merged-from"
    LINKED = "linked"
    # Known issues: linked to one ({"issue": "PLN-142"}), and its fix released
    # ({"issue": ..., "release": <the release note's path>}).
    KNOWN_ISSUE = "known-issue"
    FIX_RELEASED = "fix-released"
    RATED = "rated"
    # Retention (domain/retention.py): the personal data of a ticket closed long ago
    # went; the ticket stays countable.
    PERSONAL_DATA_REMOVED = "personal-data-removed"
    # A change no kind above describes (a timer rescheduled after a configuration
    # change, say): still recorded, so no change goes unseen.
    UPDATED = "updated"


# Who a sweeper's (or any timer's) event names.
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class Actor:
    """Who made a change: an account's address (or a customer's), or the system."""

    name: str
    role: AuthorRole


SYSTEM = Actor(SYSTEM_ACTOR, AuthorRole.SYSTEM)


@dataclass(frozen=True)
class TicketEvent:
    ticket: int
    at: datetime
    by: str
    role: AuthorRole
    kind: EventKind
    # What changed, as short strings: {"old": ..., "new": ...}, {"other": "10002"}.
    detail: Mapping[str, str] = field(default_factory=dict)
    # Orders the ticket's events and names each once: the ticket version the change
    # made (unique per ticket under the version check) and the event's place in it.
    # The store writes it with attribute_not_exists / a primary key, so an event is
    # never overwritten.
    key: str = ""


def event_key(at: datetime, version: int, index: int) -> str:
    """'<UTC moment, fixed width>#<version, 12 digits>#<index, 3 digits>': sorts in time
    order, and two events of one moment by the change that made them."""
    moment = at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    return f"{moment}#{version:012d}#{index:03d}"


def check_events(ticket: Ticket, events: Sequence[TicketEvent]) -> None:
    """What a store checks before it saves a change: the change carries at least one
    event, every one of this ticket and keyed. A caller that would change a ticket
    without recording it fails here, before anything is written."""
    if not events:
        raise ValueError(f"a change of ticket {ticket.number} must write its events")
    wrong = [e for e in events if e.ticket != ticket.number or not e.key]
    if wrong:
        raise ValueError(f"events {wrong} are not keyed events of ticket {ticket.number}")


# -- working out a change's events -----------------------------------------------------------

def events_of_change(before: Ticket, after: Ticket, *, by: Actor, at: datetime,
                     changes: Sequence[object] = (), messages: Sequence[Message] = (),
                     extra: Sequence[tuple[EventKind, Mapping[str, str]]] = ()
                     ) -> list[TicketEvent]:
    """The events of storing `after` over `before` (version before.version + 1): one per
    field that changed, message, reminder, SLA breach and `extra` (merges, links), or
    one "updated" when nothing else describes the change."""
    # Here, not at the top: the stores import this module for its types and need not
    # load the workflow.
    from loket.domain.workflow import Breached, Reminded, StatusChanged

    found: list[tuple[EventKind, dict[str, str], Actor]] = []
    causes = {c.new: c.cause for c in changes if isinstance(c, StatusChanged)}
    if before.status != after.status:
        cause = causes.get(after.status, by.role.value)
        actor = SYSTEM if cause == "timer" or "breached" in cause else by
        found.append((EventKind.STATUS, {"old": before.status, "new": after.status,
                                         "cause": cause}, actor))
    if (before.priority, before.impact, before.urgency) != (after.priority, after.impact,
                                                            after.urgency):
        found.append((EventKind.PRIORITY, _pair(before.priority, after.priority)
                      | {"impact": after.impact or "", "urgency": after.urgency or ""}, by))
    for kind, old, new in ((EventKind.ASSIGNED, before.assignee, after.assignee),
                           (EventKind.WARRANTY, _yes_no(before.warranty),
                            _yes_no(after.warranty))):
        if old != new:
            found.append((kind, _pair(old, new), by))
    for message in messages:
        found.append((_message_kind(message), _message_detail(message),
                      Actor(message.author, message.role)))
    for change in changes:
        if isinstance(change, Reminded):
            found.append((EventKind.REMINDER, {"timer": change.timer}, SYSTEM))
        elif isinstance(change, Breached):
            found.append((EventKind.BREACH, {"target": change.target.value}, SYSTEM))
    found += [(kind, dict(detail), by) for kind, detail in extra]
    if not found:
        found.append((EventKind.UPDATED, {}, by))
    version = before.version + 1
    return [TicketEvent(after.number, at, actor.name, actor.role, kind, detail,
                        event_key(at, version, i))
            for i, (kind, detail, actor) in enumerate(found)]


def created_event(ticket: Ticket, taken_by: str | None = None) -> TicketEvent:
    """The first event of every ticket: the customer made it, or the agent `taken_by`
    took it for them on the telephone (the customer's address under "for")."""
    if taken_by:
        by, role = taken_by, AuthorRole.AGENT
        detail = {"status": ticket.status, "for": ticket.email, "channel": "phone"}
    else:
        by, role, detail = ticket.email, AuthorRole.CUSTOMER, {"status": ticket.status}
    # make(TicketEvent, ...): TicketEvent(...) at a fraction of the cost (domain/frozen.py).
    return make(TicketEvent, dict(ticket=ticket.number, at=ticket.created_at, by=by,
                                  role=role, kind=EventKind.CREATED, detail=detail,
                                  key=event_key(ticket.created_at, ticket.version, 0)))


def rated_event(rating) -> TicketEvent:
    """The rating's event (domain/accounts.Rating): good or bad, and the comment. A
    ticket is rated once, so its key needs no version."""
    moment = rating.created_at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    return TicketEvent(rating.ticket, rating.created_at, rating.by, AuthorRole.CUSTOMER,
                       EventKind.RATED, {"rating": "good" if rating.good else "bad",
                                         "comment": rating.comment}, f"{moment}#rating")


def _pair(old: str | None, new: str | None) -> dict[str, str]:
    return {"old": old or "", "new": new or ""}


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _message_kind(message: Message) -> EventKind:
    if message.role is AuthorRole.CUSTOMER:
        return EventKind.CUSTOMER_MESSAGE
    return EventKind.REPLY if message.public else EventKind.NOTE


def _message_detail(message: Message) -> dict[str, str]:
    detail = {"excerpt": " ".join(message.body.split())[:120]}
    if message.attachments:
        detail["files"] = str(len(message.attachments))
    return detail


# -- reading the timeline -------------------------------------------------------------------

def links_of(events: Sequence[TicketEvent]) -> list[int]:
    """The tickets linked to this one, in the order they were linked."""
    linked = [int(e.detail["other"]) for e in events if e.kind is EventKind.LINKED]
    return list(dict.fromkeys(linked))


def merged_into(events: Sequence[TicketEvent]) -> int | None:
    merges = [int(e.detail["other"]) for e in events if e.kind is EventKind.MERGED_INTO]
    return merges[-1] if merges else None


def merged_from(events: Sequence[TicketEvent]) -> list[int]:
    return list(dict.fromkeys(int(e.detail["other"]) for e in events
                              if e.kind is EventKind.MERGED_FROM))


def version_of_key(key: str) -> int:
    """The ticket version an event key was written at (0 for a malformed key)."""
    parts = key.split("#")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0
