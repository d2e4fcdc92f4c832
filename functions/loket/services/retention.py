"""Retention (portal.yml `retention:`; README.md, "Retention"): refused mail goes, with
its raw message, `refused_mail_days` after it came; a ticket closed
`closed_ticket_months` ago loses its personal data (domain/retention.py).

The sweeper of `loket serve` runs this each round. It asks the refused mail's index by
time for what came before the cut-off, a page at a time, so a round costs O(mail due),
never a read of all of it. On AWS the table's TTL (the item's `expires_at`) and the
attachments bucket's lifecycle rule for `refused/` (serverless.yml, from the same
setting) remove it instead, with no function's time or rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from loket.services.context import Services

PAGE = 100


def remove_expired_refused(services: Services, now: datetime | None = None,
                           *, limit: int = 1000) -> int:
    """Remove refused mail older than the retention, at most `limit` of it (the rest
    next round); how many went."""
    from loket.storage.data_port import data_port
    from loket.storage.refused_records import refused_to_record

    now = now or services.clock.now()
    cutoff = now - timedelta(days=services.config.retention.refused_mail_days)
    port = data_port(services.store)
    removed = 0
    while removed < limit:
        due = services.store.list_refused(limit=min(PAGE, limit - removed), before=cutoff)
        if not due:
            break
        # The raw message first, then the record: after a crash between the two the
        # record is still due, and the next round finishes (deleting no blob is fine).
        for mail in due:
            if mail.raw_key and services.blobs is not None:
                services.blobs.delete(mail.raw_key)
        port.delete_records("refused", [refused_to_record(mail) for mail in due])
        removed += len(due)
    return removed


# -- closed tickets -----------------------------------------------------------------------
# Their moment is part of the ticket's due_at (domain/workflow.py): the sweeper finds them
# in the due index with the timers and calls remove_ticket_data (services/sweeper.py).

def remove_ticket_data(services: Services, number: int, now: datetime) -> bool:
    """Remove the personal data of ticket `number` if its retention is due at `now`:
    files first, then the ticket with its messages, events and rating in one rewrite,
    one version on. False when it is not due (any more) or changed meanwhile; then the
    ticket is worked out afresh next round. A crash between the two leaves it due, and
    the next round finishes (deleting no file is fine)."""
    from loket.domain.retention import strip_ticket

    store = services.store
    ticket = store.get_ticket(number)
    removal = services.config.workflow.removal_at(ticket) if ticket else None
    if removal is None or removal > now:
        return False
    stripped = strip_ticket(ticket, store.list_messages(number), store.list_events(number),
                            store.get_rating(number), now=now,
                            countable_fields=countable_fields(services))
    # A change since the read above (an agent reopening the ticket) wins: looked at
    # before the files go, so a ticket reopened while its parts were read keeps them,
    # and after; the rewrite is written only over the version read (checked in the
    # store's write), so a reply or reopen after that last look is not undone either:
    # skipped, the ticket is worked out afresh next round.
    if _changed(store, ticket):
        return False
    for key in stripped.blob_keys:
        if services.blobs is not None:
            services.blobs.delete(key)
    if _changed(store, ticket):
        return False
    return _rewrite(services, stripped, expected_version=ticket.version)


def _changed(store, ticket) -> bool:
    return (store.get_ticket(ticket.number) or ticket).version != ticket.version


def countable_fields(services: Services) -> list[str]:
    """The form's fields whose values are picked, not typed (kept for reports)."""
    from loket.domain.retention import COUNTABLE_FIELD_TYPES

    return [f.name for f in services.config.form.fields if f.type in COUNTABLE_FIELD_TYPES]


def _rewrite(services: Services, stripped, *, expected_version: int) -> bool:
    from dataclasses import replace

    from loket.storage.account_records import rating_to_record
    from loket.storage.data_port import data_port
    from loket.storage.event_records import event_to_record
    from loket.storage.records import message_to_record, ticket_to_record

    # The due moment again, now that nothing is left to remove (a timer, else none).
    ticket = stripped.ticket
    ticket = replace(ticket, due_at=services.config.workflow.due_at(ticket))
    line = {"ticket": ticket_to_record(ticket),
            "messages": [message_to_record(m) for m in stripped.messages],
            "events": [event_to_record(e) for e in stripped.events],
            "rating": rating_to_record(stripped.rating) if stripped.rating else None}
    return data_port(services.store).replace_ticket(line, expected_version=expected_version)


def schedule_closed_tickets(services: Services, products: list[str]) -> "ScheduleReport":
    """Give finished tickets stored before retention was set (or changed) their moment
    in the due index (`loket retention-schedule`): each product's tickets a page at a
    time from the product index, the finished ones whose due moment differs saved with
    an "updated" event (services/changes.py). One that keeps changing is skipped: each
    change works its moment out itself."""
    from dataclasses import replace

    from loket.domain.errors import VersionConflict
    from loket.domain.events import SYSTEM
    from loket.domain.retention import FINISHED
    from loket.domain.workflow import Step
    from loket.services.changes import change_ticket
    from loket.services.desk_reindex import product_tickets

    report, workflow = ScheduleReport(), services.config.workflow

    def rescheduled(ticket, now):
        # The queue keys too: a finished ticket's category puts its moment in the due
        # index's removal part (storage/due_kinds.py), whatever it was saved with.
        return Step(replace(ticket, due_at=workflow.due_at(ticket),
                            **workflow.queue_keys(ticket)))

    for ticket in product_tickets(services, products):
        report.seen += 1
        if workflow.status(ticket.status).category not in FINISHED or \
                rescheduled(ticket, None).ticket == ticket:
            continue
        try:  # Saved with its "updated" event, read again on a conflict.
            change_ticket(services, ticket.number, rescheduled, by=SYSTEM, ticket=ticket)
            report.scheduled += 1
        except VersionConflict:
            report.skipped += 1
    return report


@dataclass
class ScheduleReport:
    seen: int = 0
    scheduled: int = 0
    skipped: int = 0  # changed meanwhile: that save worked its moment out itself

    def summary(self) -> str:
        return (f"{self.seen} tickets seen, {self.scheduled} finished ones given their "
                f"retention moment, {self.skipped} changed meanwhile")
