"""Ticket events (domain/events.py) as plain records and back, for both stores."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

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
            "detail": sorted_json(dict(event.detail))}


def event_from_record(rec: dict[str, Any]) -> TicketEvent:
    return TicketEvent(ticket=int(rec["ticket"]), at=datetime.fromisoformat(rec["at"]),
                       by=rec["by"], role=AuthorRole(rec["role"]),
                       kind=EventKind(rec["kind"]), detail=json.loads(rec["detail"]),
                       key=rec["key"])
