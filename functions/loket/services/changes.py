"""Changing a stored ticket: read, apply a workflow step, save under the version check.

Every change of a ticket goes through here (the sweeper's timers aside), and each
saves its events (domain/events.py) with it: the store takes no change without them.
Every status change goes through here, so a customer's reply racing a timer (or an
agent) is never lost or applied twice: the store refuses a save based on a stale
read, and the step is worked out again on the fresh ticket.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Callable, Sequence

from loket.domain.errors import TicketNotFound, VersionConflict
from loket.domain.events import Actor, EventKind, events_of_change
from loket.domain.tickets import Message, Ticket
from loket.domain.outgoing import OutgoingMail
from loket.domain.workflow import Change, Step
from loket.services.context import Services
from loket.services.notifications import mails_for

SAVE_ATTEMPTS = 5

StepFunction = Callable[[Ticket, datetime], Step]
MessagesFunction = Callable[[Ticket, datetime], Sequence[Message]]
# The e-mails a change causes, from the ticket as it will be stored and the changes.
MailsFunction = Callable[[Ticket, Sequence[Change]], Sequence[OutgoingMail]]
# Events a change adds besides those worked out from it (a merge, a link).
ExtraEvents = Sequence[tuple[EventKind, dict[str, str]]]


def change_ticket(services: Services, number: int, step: StepFunction, *, by: Actor,
                  messages: MessagesFunction = lambda ticket, now: (),
                  ticket: Ticket | None = None, mails: MailsFunction | None = None,
                  extra: ExtraEvents = ()) -> Step:
    """Apply `step` to the ticket and store the result with `messages`, the e-mails
    it causes (`mails`; by default services/notifications.mails_for) and its events
    (made `by` someone; `extra` ones besides what changed), in one write,
    retrying on a version conflict. `ticket` saves a read when the caller has just read
    it. Returns the stored ticket and what changed; raises what the step raises (a
    refused transition, bad input) without storing anything."""
    mails = mails or (lambda stored, changes: mails_for(services, stored, changes))
    for _ in range(SAVE_ATTEMPTS):
        ticket = ticket or services.store.get_ticket(number)
        if ticket is None:
            raise TicketNotFound(number)
        now = services.clock.now()
        result = step(ticket, now)
        stored = replace(result.ticket, version=ticket.version + 1)
        added = list(messages(ticket, now))
        events = events_of_change(ticket, result.ticket, by=by, at=now,
                                  changes=result.changes, messages=added, extra=extra)
        try:
            saved = services.store.save_ticket(result.ticket, expected_version=ticket.version,
                                               events=events, messages=added,
                                               mails=mails(stored, result.changes))
        except VersionConflict:
            ticket = None  # Read it again: someone changed it meanwhile.
            continue
        return Step(saved, result.changes)
    raise VersionConflict(number)
