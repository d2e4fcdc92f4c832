"""The dispatcher: delivers the mail the store has queued, at least once.

It claims a batch of due mail (the store leases it, so two dispatchers never send the
same mail at once, and a crashed one's mail comes back when the lease ends), renders
each, hands it to the sender and records the outcome. Temporary failures (a 4xx
answer, a refused connection, SES throttling) are retried with exponential backoff
until the give-up time; permanent ones, mail past that time and mail to a suppressed
address stay in the store, visible (`loket mail queue`, the desk's mail page), until an
admin retries them. A repeat of a mail carries the same Message-ID.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from loket.domain.errors import Refused
from loket.domain.outgoing import MailFailure, MailState, OutgoingMail
from loket.mail.notices import render_mail
from loket.services.agent_notices import INTENT, expand_all
from loket.services.context import Services

log = logging.getLogger(__name__)
# How long a claimed mail is kept from other dispatchers: far longer than one send.
LEASE = timedelta(minutes=5)
BATCH = 50
# Outcomes are stored together (Outcomes): at most this many mails, or this long, apart.
FLUSH_EVERY = 10
FLUSH_SECONDS = 1.0
# An admin's retry reads the mail again at most this often when it changed meanwhile.
RETRY_READS = 3
# `loket serve`'s mail process runs on CPU time nothing else wants (low_priority.py): on a
# host kept busy by other work it may not run at all. Mail due this long is then sent by
# a thread of the server itself (MailLoop with `waited`), which looks this often.
OVERDUE = timedelta(seconds=30)
OVERDUE_CHECK_SECONDS = 10.0


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    more: bool = False  # stopped at a deadline: more may be due
    expanded: int = 0  # mails queued by expanding records that stood for them

    def summary(self) -> str:
        return (f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
                f"{self.suppressed} suppressed" + (" (more may be due)" if self.more else ""))


def send_queued(services: Services, *, batch: int = BATCH,
                deadline: float | None = None,
                waited: timedelta = timedelta(0)) -> DispatchReport:
    """Send every mail that is due now, or only what has been due for `waited` at
    least. With a `deadline` (a time.monotonic() value) it stops between batches when
    that comes, as a Lambda function must."""
    report = DispatchReport()
    while True:
        if deadline is not None and time.monotonic() >= deadline:
            report.more = True
            return report
        now = services.clock.now()
        claimed = services.store.claim_mail(now - waited, now + LEASE, limit=batch)
        outcomes = Outcomes(services, now + LEASE)
        expanded = report.expanded
        try:
            # The round's agent-notices records first, together (one store write), so
            # the mails they stand for are queued before the round's sends take time.
            _expand(services, [m for m in claimed if m.kind == INTENT], report, outcomes)
            for mail in claimed:
                if mail.kind != INTENT:
                    deliver(services, mail, report, outcomes)
        finally:
            outcomes.flush()
        # The mails an expansion queued are due now: one more round sends them.
        if len(claimed) < batch and report.expanded == expanded:
            return report


class Outcomes:
    """How claimed mails went, stored several at a time (store.update_mails: on SQLite
    one transaction, which the server's writers, in another process, meet once instead
    of once per mail). Stored every FLUSH_EVERY mails or FLUSH_SECONDS, so a dispatcher
    that dies sends again (same Message-ID, at least once) only the few whose outcome
    was not stored yet. Each is stored only while this batch's claim (`lease`) holds,
    and as the attempt's fields only: an erasure between the claim and the outcome keeps
    its work (storage/mail_outcomes.py)."""

    def __init__(self, services: Services, lease: datetime):
        self.services = services
        self.lease = lease
        self.pending: list[OutgoingMail] = []
        self.added = 0
        self.since = time.monotonic()

    def add(self, mail: OutgoingMail) -> OutgoingMail:
        self.pending.append(mail)
        self.added += 1
        if self.added >= FLUSH_EVERY or time.monotonic() - self.since >= FLUSH_SECONDS:
            self.flush()
        return mail

    def later(self, mails: list[OutgoingMail]) -> None:
        """Stored with the next of the others: nothing was sent, so a crash before then
        makes no mail go twice (agent-notices records that no agent listens to)."""
        self.pending.extend(mails)

    def flush(self) -> None:
        if self.pending:
            self.services.store.update_mails(self.pending, claimed_until=self.lease)
        self.pending, self.added, self.since = [], 0, time.monotonic()


def deliver(services: Services, mail: OutgoingMail, report: DispatchReport,
            outcomes: Outcomes | None = None) -> OutgoingMail:
    """Try one claimed mail once and store how it went (with `outcomes`: later, with
    others)."""
    outcomes = outcomes or _AtOnce(services, mail.next_attempt_at)  # a claim's lease
    now = services.clock.now()
    if mail.kind == INTENT:  # Stands for other mails (agent_notices): queued, not sent.
        _expand(services, [mail], report, outcomes)
        return mail
    suppression = services.store.get_suppression(mail.to)
    if suppression is not None:
        report.suppressed += 1
        return outcomes.add(replace(
            mail, state=MailState.SUPPRESSED, next_attempt_at=None,
            last_error=f"address suppressed after a {suppression.reason}: {suppression.detail}"))
    try:
        services.mail.send(render_mail(services, mail))
    except MailFailure as failure:
        return outcomes.add(_failed(services, mail, str(failure), failure.temporary, now,
                                    report))
    except Exception as error:  # An unknown failure: worth another try later.
        log.exception("sending mail %s failed", mail.id)
        return outcomes.add(_failed(services, mail, f"{type(error).__name__}: {error}", True,
                                    now, report))
    report.sent += 1
    return outcomes.add(replace(mail, state=MailState.SENT, attempts=mail.attempts + 1,
                                sent_at=now, next_attempt_at=None, last_error=""))


def _expand(services: Services, intents: list[OutgoingMail], report: DispatchReport,
            outcomes) -> None:
    """Queue the mails `intents` stand for and mark them done, in one store write
    (agent_notices.expand_all); those no agent listens to are marked done with the
    round's outcomes. A failure is retried later, as a send's would be."""
    if not intents:
        return
    unheard: list[OutgoingMail] = []
    try:
        report.expanded += expand_all(services, intents, settle=unheard.append)
    except Exception as error:  # The store was unreachable: the records stay queued.
        log.exception("expanding mail %s failed", ", ".join(m.id for m in intents))
        now = services.clock.now()
        for mail in intents:  # one expanded meanwhile (DynamoDB) keeps its outcome
            outcomes.add(_failed(services, mail, f"{type(error).__name__}: {error}", True,
                                 now, report))
        return
    outcomes.later(unheard)


def _failed(services: Services, mail: OutgoingMail, reason: str, temporary: bool,
            now: datetime, report: DispatchReport) -> OutgoingMail:
    """The mail after a failed attempt: due again later, or failed for good."""
    tried = replace(mail, attempts=mail.attempts + 1, last_error=reason[:1000])
    retry_at = services.mail_retry.next_attempt(tried, now) if temporary else None
    if retry_at is not None:
        report.retrying += 1
        return replace(tried, next_attempt_at=retry_at)
    if temporary:
        tried = replace(tried, last_error=f"gave up after {tried.attempts} attempts: {reason}"[:1000])
    log.warning("mail %s to %s failed for good: %s", mail.id, mail.to, tried.last_error)
    report.failed += 1
    return replace(tried, state=MailState.FAILED, next_attempt_at=None)


class _AtOnce:
    """Outcomes stored one by one, as they come (deliver() without Outcomes)."""

    def __init__(self, services: Services, lease: datetime):
        self.services = services
        self.lease = lease

    def add(self, mail: OutgoingMail) -> OutgoingMail:
        self.services.store.update_mails([mail], claimed_until=self.lease)
        return mail

    def later(self, mails: list[OutgoingMail]) -> None:
        if mails:
            self.services.store.update_mails(mails, claimed_until=self.lease)


def retry_mail(services: Services, mail_id: str) -> OutgoingMail:
    """Put a failed (or suppressed) mail back in the queue, due now, with a fresh
    give-up clock. A suppressed address stays suppressed: its mail is suppressed again.

    The store writes only those fields, and only while the mail is as read here
    (store.requeue_mail): an erasure between the read and the write keeps its work. A
    mail that changed meanwhile is read again; one deleted or sent meanwhile is refused."""
    for _ in range(RETRY_READS):
        mail = services.store.get_mail(mail_id)
        if mail is None:
            raise Refused(f"There is no queued mail {mail_id}.", kind="mail-not-found",
                          title="No such mail")
        if mail.state is MailState.SENT:
            raise Refused(f"Mail {mail_id} was sent already, at "
                          f"{mail.sent_at:%Y-%m-%d %H:%M} UTC.",
                          kind="mail-sent", title="Mail sent already")
        now = services.clock.now()
        if services.store.requeue_mail(mail, now):
            return replace(mail, state=MailState.PENDING, next_attempt_at=now, since=now)
    raise Refused(f"Mail {mail_id} kept changing while it was queued again; try again.",
                  kind="mail-changed", title="Mail changed meanwhile")


class MailLoop:
    """Sends queued mail in a daemon thread: at once when a write queues mail (wake(),
    which the store calls), and every `interval` seconds for retries that come due.
    With `waited`, only mail due that long (`loket serve`'s backstop for a mail process
    the host gives no CPU: OVERDUE). stop() waits for a batch in progress to finish."""

    def __init__(self, services: Services, interval: float,
                 waited: timedelta = timedelta(0)):
        self.services = services
        self.interval = interval
        self.waited = waited
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="loket-mail", daemon=True)

    def start(self) -> "MailLoop":
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            # Cleared before sending: a wake during the batch makes another round.
            self._wake.clear()
            try:
                report = send_queued(self.services, waited=self.waited)
                if report.sent or report.retrying or report.failed or report.suppressed:
                    log.info("mail: %s", report.summary())
            except Exception:  # A store that is down now may be up next time.
                log.exception("sending queued mail failed; trying again in %s s",
                              self.interval)
            self._wake.wait(self.interval)


class MailProcess:
    """The mail loop in a process of its own, for `loket serve`: rendering a receipt
    (its article search, the templates) is CPU work, and in the server's own process it
    would hold the GIL while requests wait. The server wakes it through an Event every
    time a write queues mail; it builds its own services from the same settings (SQLite
    in WAL mode takes writers from several processes)."""

    def __init__(self, settings, interval: float):
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # no threads or sockets inherited
        self._wake = context.Event()
        self._stop = context.Event()
        self._process = context.Process(target=_run_mail_process, name="loket-mail",
                                        args=(settings, interval, self._wake, self._stop),
                                        daemon=True)

    def start(self) -> "MailProcess":
        self._process.start()
        return self

    def wake(self) -> None:
        # Called after every submission. While the Event is still set, the process has
        # not begun the round that will send this mail (it clears the Event first), so
        # nothing needs doing: is_set() costs half of set() (2.5 against 5.6 us).
        if not self._wake.is_set():
            self._wake.set()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self._process.pid is not None:
            self._process.join(timeout)


def _run_mail_process(settings, interval: float, wake, stop) -> None:
    import os
    import signal

    from loket.services.low_priority import lower_own_priority
    from loket.wiring import build_services

    # Ctrl-C reaches the whole process group: the server stops this process in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Background work: when the CPU is short, the server's requests go first (a receipt
    # may wait a moment, a customer at the form should not); an idle CPU sends at once.
    lower_own_priority()
    parent = os.getppid()
    services = build_services(settings)
    next_round = 0.0
    # A server killed outright never calls stop(): leave when the parent is gone.
    while not stop.is_set() and os.getppid() == parent:
        if wake.is_set() or time.monotonic() >= next_round:
            wake.clear()  # before sending: a wake during the round makes another one
            try:
                send_queued(services)
            except Exception:  # A store that is down now may be up next time.
                log.exception("sending queued mail failed; trying again in %s s", interval)
            next_round = time.monotonic() + interval
        wake.wait(1.0)
