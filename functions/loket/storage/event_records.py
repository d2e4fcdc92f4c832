"""Ticket events (domain/events.py) as plain records and back, for both stores."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any, Mapping

from loket.domain.events import EventKind, TicketEvent
from loket.domain.tickets import AuthorRole
from loket.storage.records import iso, sorted_json

EVENT_COLUMNS = ("ticket", "key", "at", "by", "role", "kind", "detail")


def event_to_record(event: TicketEvent) -> dict[str, Any]:
    if not event.key:
        raise ValueError(f"an event of ticket {event.ticket} has no key")
    # _value_: the members' text as they hold it (the `value` property costs some
    # 1,900 instructions a read on CPython 3.11; every change writes events).
    return {"ticket": event.ticket, "key": event.key, "at": iso(event.at),
            "by": event.by, "role": event.role._value_, "kind": event.kind._value_,
            "detail": detail_json(event.detail)}


def detail_json(detail: Mapping[str, Any]) -> str:
    """sorted_json(dict(detail)). A detail is most often a few short strings, the same
    for many events ({"status": "open"} of every new ticket), so the text of one made
    of strings only is memoized by value (a pure function of immutable strings: never
    stale); other values are encoded each time, as 1 == True == 1.0 would share an entry."""
    items = tuple(detail.items())
    if all(type(key) is str and type(value) is str for key, value in items):
        return _strings_json(items)
    return sorted_json(dict(items))


@lru_cache(maxsize=256)
def _strings_json(items: tuple[tuple[str, str], ...]) -> str:
    return sorted_json(dict(items))


def event_from_record(rec: dict[str, Any]) -> TicketEvent:
    return TicketEvent(ticket=int(rec["ticket"]), at=datetime.fromisoformat(rec["at"]),
                       by=rec["by"], role=AuthorRole(rec["role"]),
                       kind=EventKind(rec["kind"]), detail=json.loads(rec["detail"]),
                       key=rec["key"])
