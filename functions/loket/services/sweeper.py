"""The sweeper: fire every timer and SLA breach that is due.

It asks the store's due index for what is due, so a sweep costs O(tickets due), never
O(all tickets). Running it twice at once (two Lambda invocations, a CLI run beside
`loket serve`) is safe: each change is saved under the version check, with its e-mails
queued in the same write, so only the winner of a race queues anything and a crash
never separates a change from its e-mail (services/mail_dispatch.py sends them).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime

from loket.domain.errors import VersionConflict
from loket.domain.events import SYSTEM, events_of_change
from loket.domain.tickets import Ticket
from loket.domain.workflow import Breached, Change, Reminded, StatusChanged
from loket.services.changes import SAVE_ATTEMPTS
from loket.services.background import EveryInterval
from loket.services.context import Services
from loket.services.notifications import mails_for

log = logging.getLogger(__name__)
# Due tickets read at a time. Larger batches mean fewer index queries (one per shard
# per batch); a batch is held in memory, and a few hundred tickets are small.
BATCH = 500
# Tickets whose personal data a sweep removes at most (retention, services/retention.py):
# each costs a few reads and a rewrite, so a backlog (after retention was first set)
# drains over several rounds; the rest stays due in the index for the next.
RETENTION_LIMIT = 200


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool = False
    due: int = 0         # due tickets read from the index
    changed: int = 0     # tickets saved with a change
    emails: int = 0
    conflicts: int = 0   # saves that lost a race and were worked out again
    removed: int = 0     # tickets whose personal data went (retention)
    removal_limit: int = RETENTION_LIMIT
    actions: list[str] = field(default_factory=list)
    more: bool = False   # stopped early (a dry run's batch, a deadline): more may be due
    erase_chunks: int = 0  # chunks of the desk's erase jobs run (services/erase_jobs.py)

    def summary(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        return (f"{self.due} due, {verb} {self.changed}, {self.emails} e-mails, "
                f"{self.conflicts} conflicts"
                + (f", personal data of {self.removed} removed" if self.removed else "")
                + (" (more may be due)" if self.more else ""))


def sweep(services: Services, *, now: datetime | None = None, dry_run: bool = False,
          batch: int = BATCH, deadline: float | None = None,
          removal_limit: int = RETENTION_LIMIT) -> SweepReport:
    """Fire what is due at `now` (default: the clock's now). A dry run changes and
    sends nothing and lists what it would do, for one batch. With a `deadline` (a
    time.monotonic() value) it stops between tickets when that comes, leaving the rest
    for the next sweep, as a Lambda function must before its timeout. Retention
    removes the personal data of at most `removal_limit` tickets, read from the due
    index's part of their own after the timers (storage/due_kinds.py): a backlog of
    removals never delays a reminder, an auto-close or an SLA timer."""
    report = SweepReport(now or services.clock.now(), dry_run, removal_limit=removal_limit)
    if not _sweep_timers(services, report, batch, deadline):
        return report
    if not dry_run:
        # Then what comes due soon, with what was due now moved on (#12): agents
        # hear of SLA deadlines ahead (services/sla_warnings.py).
        _warn_before_breach(services, report.now)
    if not _sweep_removals(services, report, deadline) or dry_run:
        return report
    _erase(services, report, deadline)
    return report


def _sweep_timers(services: Services, report: SweepReport, batch: int,
                  deadline: float | None) -> bool:
    """Every due timer and SLA deadline, a batch at a time (a dry run: one batch).
    False when the deadline came first."""
    seen: set[int] = set()
    while True:
        due = services.store.due_tickets(report.now, limit=batch)
        # A ticket seen already is one the index has not caught up with yet (DynamoDB's
        # indexes are eventually consistent): it was done, or will be next sweep.
        fresh = [ticket for ticket in due if ticket.number not in seen]
        if not _sweep_tickets(services, fresh, report, deadline, seen):
            return False
        if report.dry_run:
            report.more = len(due) == batch
            return True
        if len(due) < batch or not fresh:
            return True


def _sweep_removals(services: Services, report: SweepReport,
                    deadline: float | None) -> bool:
    """Retention's due removals, at most the round's limit (one read of the index's
    removal part); the rest stays due for the next round. False when the deadline came
    first. Not read when nothing can be there (storage/due_kinds.py)."""
    left = report.removal_limit - report.removed
    if left <= 0 or not _removals_possible(services.config.workflow):
        return True
    due = services.store.due_removals(report.now, limit=left + 1)  # one more: "more?"
    report.more = report.more or len(due) > left
    return _sweep_tickets(services, due[:left], report, deadline, set())


def _removals_possible(workflow) -> bool:
    """Whether the due index's removal part can hold anything: retention is set, or a
    timer waits in a closed or cancelled status (such a ticket is in that part too)."""
    from loket.domain.retention import FINISHED

    return workflow.closed_ticket_months is not None or any(
        workflow.status(timer.status).category in FINISHED for timer in workflow.timers)


def _sweep_tickets(services: Services, tickets: list[Ticket], report: SweepReport,
                   deadline: float | None, seen: set[int]) -> bool:
    for ticket in tickets:
        if deadline is not None and time.monotonic() >= deadline:
            report.more = True
            return False
        seen.add(ticket.number)
        report.due += 1
        _sweep_ticket(services, ticket, report)
    return True


def _warn_before_breach(services: Services, now: datetime) -> None:
    """A warning is a courtesy: failing to send one must not fail the sweep, whose
    changes are stored already (the next sweep tries the warning again)."""
    from loket.services.sla_warnings import warn_before_breach

    try:
        warn_before_breach(services, now)
    except Exception:
        log.exception("SLA warnings failed at %s; the next sweep tries again", now)


def _erase(services: Services, report: SweepReport, deadline: float | None) -> None:
    """The desk's erase jobs (services/erase_jobs.py), after the timers, in the time
    that is left; a failure is logged and the job goes on at a later sweep."""
    from loket.services.erase_jobs import run_erase_jobs

    try:
        jobs = run_erase_jobs(services, report.now, deadline=deadline)
    except Exception:
        log.exception("erase jobs failed at %s; a later sweep goes on", report.now)
        return
    report.erase_chunks = jobs.chunks
    report.more = report.more or jobs.more


def _sweep_ticket(services: Services, ticket: Ticket, report: SweepReport) -> None:
    """Fire what is due on one ticket. The index's copy may be behind: then the save
    conflicts, and the step is worked out again on a fresh read."""
    workflow = services.config.workflow
    for _ in range(SAVE_ATTEMPTS):
        step = workflow.fire_due(ticket, report.now)
        removal = workflow.removal_at(step.ticket)
        if not step.changes and removal is not None and removal <= report.now:
            _remove_personal_data(services, ticket.number, report)
            return
        if not step.changes and step.ticket.due_at == ticket.due_at:
            return  # Nothing (left) to do: someone else did it.
        # Worked out in a dry run too (nothing is stored), so it counts the e-mails.
        mails = mails_for(services, replace(step.ticket, version=ticket.version + 1),
                          step.changes) if step.changes else []
        if report.dry_run:
            report.changed += bool(step.changes)
            report.actions += [describe(ticket.number, c) for c in step.changes]
            report.emails += len(mails)
            return
        try:
            events = events_of_change(ticket, step.ticket, by=SYSTEM, at=report.now,
                                      changes=step.changes)
            saved = services.store.save_ticket(step.ticket, expected_version=ticket.version,
                                               events=events, mails=mails)
        except VersionConflict:
            report.conflicts += 1
            ticket = services.store.get_ticket(ticket.number)
            if ticket is None:
                return
            continue
        if step.changes:
            report.changed += 1
            report.actions += [describe(saved.number, c) for c in step.changes]
            report.emails += len(mails)
        return
    log.warning("ticket %s kept changing while the sweeper worked on it; the next sweep "
                "takes it up again", ticket.number)


def _remove_personal_data(services: Services, number: int, report: SweepReport) -> None:
    """Retention (services/retention.py), within the round's limit: past it the ticket
    stays due for the next round."""
    from loket.services.retention import remove_ticket_data

    if report.dry_run:
        report.changed += 1
        report.actions.append(f"#{number}: personal data removed (retention)")
        return
    if report.removed >= report.removal_limit:
        report.more = True
        return
    try:
        removed = remove_ticket_data(services, number, report.now)
    except Exception:  # One ticket's failure must not stop the timers: next round.
        log.exception("removing the personal data of ticket %s failed; the next sweep "
                      "tries again", number)
        return
    if removed:
        report.removed += 1
        report.changed += 1
        report.actions.append(f"#{number}: personal data removed (retention)")


def describe(number: int, change: Change) -> str:
    if isinstance(change, StatusChanged):
        how = " with a reminder" if change.reminder else ""
        return f"#{number}: {change.old} -> {change.new} ({change.cause}{how})"
    if isinstance(change, Reminded):
        return f"#{number}: reminder ({change.timer})"
    if isinstance(change, Breached):
        return f"#{number}: SLA {change.target.value} target breached"
    return f"#{number}: {change}"


class SweepLoop(EveryInterval):
    """Sweeps every `interval` seconds in a daemon thread, for `loket serve`; stop()
    waits for a sweep in progress, so a shutdown never cuts a ticket's change from its
    e-mail."""

    name = "loket-sweeper"

    def __init__(self, services: Services, interval: float):
        self.services = services
        super().__init__(interval)

    def run_once(self) -> None:
        """One round: due timers, uploads never attached, (once a day) blobs that
        nothing names, and refused mail past its retention. Each part's failure is
        logged and leaves the others to run."""
        from loket.services.attachments import clean_up_uploads
        from loket.services.blob_cleanup import clean_up_daily

        try:
            report = sweep(self.services)
            if report.due:
                log.info("sweep: %s", report.summary())
        except Exception:  # A store that is down now may be up next time.
            log.exception("sweep failed; trying again in %s s", self.interval)
        try:
            # On AWS the bucket's lifecycle rule and the table's TTL do this.
            removed = clean_up_uploads(self.services)
            if removed:
                log.info("removed %s upload%s never attached", removed, "s" * (removed != 1))
        except Exception:  # A waiting file costs space, never data: next time.
            log.exception("removing uploads never attached failed")
        try:
            clean_up_daily(self.services)
        except Exception:  # Files nothing names cost space, never data: tomorrow.
            log.exception("the daily clean-up of unnamed blobs failed")
        try:
            # Retention (services/retention.py); on AWS the table's TTL and the bucket's
            # lifecycle rule do this.
            from loket.services.retention import remove_expired_refused

            removed = remove_expired_refused(self.services)
            if removed:
                log.info("removed %s refused mail past its retention", removed)
        except Exception:  # Kept a little longer than asked: next round.
            log.exception("removing refused mail past its retention failed")
