"""Two agents on one ticket: who else has it open, what they did since a page was
shown, and refusing a move made on a page that is out of date.

A desk page carries the ticket's version. A reply or status change posted from it when
someone else has changed the ticket since raises StaleView, storing nothing, so it
never silently overwrites their status change; the desk shows the ticket as it is now
with the typed text kept. The agent's own changes never make their page stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from loket.domain.events import TicketEvent, version_of_key
from loket.domain.tickets import Ticket
from loket.services.context import Services

# A page polls about every 15 seconds (desk_presence.js); an agent counts as present
# for a few polls after the last, so one slow request does not make them vanish.
PRESENT_FOR = timedelta(seconds=45)


class StaleView(Exception):
    """The page the move came from is older than the ticket: `changes` happened since."""

    def __init__(self, ticket: Ticket, changes: list[TicketEvent]):
        super().__init__(ticket.number)
        self.ticket = ticket
        self.changes = changes


@dataclass(frozen=True)
class Presence:
    others: list[str]               # other agents with the ticket open now
    changes: list[TicketEvent]      # what others did since the page's version
    version: int                    # the ticket's version now


def changes_since(services: Services, ticket: Ticket, seen_version: int,
                  me: str) -> list[TicketEvent]:
    """What someone else (an agent, the customer, a timer) changed after `seen_version`."""
    if seen_version >= ticket.version:
        return []
    return [e for e in services.store.list_events(ticket.number)
            if version_of_key(e.key) > seen_version and e.by != me]


def check_fresh(services: Services, ticket: Ticket, seen: object, me: str) -> None:
    """Raise StaleView when the page (its version as posted, `seen`) missed others'
    changes. A form without a version (an older page, a script) is not checked."""
    text = str(seen or "").strip()
    if not text.isdigit():
        return
    changes = changes_since(services, ticket, int(text), me)
    if changes:
        raise StaleView(ticket, changes)


def here(services: Services, ticket: Ticket, me: str, seen_version: int) -> Presence:
    """Mark `me` present on the ticket and tell who else is, and what changed."""
    now = services.clock.now()
    services.store.mark_presence(ticket.number, me, now + PRESENT_FOR)
    others = [a for a in services.store.present_agents(ticket.number, now) if a != me]
    return Presence(others, changes_since(services, ticket, seen_version, me), ticket.version)
