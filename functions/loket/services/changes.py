"""Changing a stored ticket: read, apply a workflow step, save under the version check.

Every status change goes through here, so a customer's reply racing a timer (or an
agent) is never lost or applied twice: the store refuses a save based on a stale
read, and the step is worked out again on the fresh ticket.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence

from loket.domain.errors import TicketNotFound, VersionConflict
from loket.domain.tickets import Message, Ticket
from loket.domain.workflow import Step
from loket.services.context import Services

SAVE_ATTEMPTS = 5

StepFunction = Callable[[Ticket, datetime], Step]
MessagesFunction = Callable[[Ticket, datetime], Sequence[Message]]


def change_ticket(services: Services, number: int, step: StepFunction, *,
                  messages: MessagesFunction = lambda ticket, now: (),
                  ticket: Ticket | None = None) -> Step:
    """Apply `step` to the ticket and store the result with `messages`, retrying on a
    version conflict. `ticket` saves a read when the caller has just read it. Returns
    the stored ticket and what changed; raises what the step raises (a refused
    transition, bad input) without storing anything."""
    for _ in range(SAVE_ATTEMPTS):
        ticket = ticket or services.store.get_ticket(number)
        if ticket is None:
            raise TicketNotFound(number)
        now = services.clock.now()
        result = step(ticket, now)
        try:
            saved = services.store.save_ticket(result.ticket, expected_version=ticket.version,
                                               messages=messages(ticket, now))
        except VersionConflict:
            ticket = None  # Read it again: someone changed it meanwhile.
            continue
        return Step(saved, result.changes)
    raise VersionConflict(number)
