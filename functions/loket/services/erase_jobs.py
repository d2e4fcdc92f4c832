"""The desk's erase action: a desk admin asks, the sweeper does it.

Erasing someone with many tickets takes longer than one request may (API Gateway gives a
Lambda 29 s), so the desk only records an erase job (domain/erase_jobs.py) and answers at
once; every sweep (`loket serve`'s background loop, the scheduled sweep function on AWS)
runs due jobs a chunk at a time through the same steps as `loket accounts erase`
(services/erase.py). A job is claimed for LEASE before its chunks run, and its progress
is saved after each chunk with LEASE from then, so two sweeps never work on it together
(one that still did loses its next save and leaves the job): after a crash the lease
runs out and the next sweep goes on from the last saved chunk. A chunk run again finds
nothing more to do (its rules are idempotent); what it removed the first time is then not
counted, so a crash can make the final counts low, never high.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from loket.domain.accounts import email_key
from loket.domain.email_address import could_be_address
from loket.domain.erase_jobs import EraseJob, address_hash
from loket.domain.errors import FieldError, ValidationFailed, VersionConflict
from loket.services.context import Services
from loket.services.erase import CHUNK, Eraser, account_names, erase_chunk, new_placeholder

log = logging.getLogger(__name__)
# Long enough for a sweep (the sweep function's timeout is 60 s), short enough that a job
# whose sweep crashed goes on within a few sweeps.
LEASE = timedelta(minutes=5)
# The confirmation page reads at most this many of the person's tickets for its counts,
# and this many of the mails waiting to go (to anyone: no index finds mail by its
# address): a page answers within a request, however big a backlog the dispatcher has.
PREVIEW_TICKETS = 200
PREVIEW_MAILS = 1000
PAGE = 100
# Unfinished jobs read to refuse a second one for the same address (erasures are rare).
PENDING_LIMIT = 500


@dataclass(frozen=True)
class ErasePreview:
    """What an erasure of `address` will remove, for the confirmation page."""
    address: str
    account: bool
    tickets: int          # tickets they asked for (kept, with a placeholder for them)
    messages: int         # their messages in those tickets
    attachments: int      # files of those messages
    queued_mail: int      # mail to them not sent yet (among the first PREVIEW_MAILS)
    more: bool            # more tickets than PREVIEW_TICKETS: the figures are at least these
    more_mail: bool = False  # more mail waiting than `mails_read`: the rest not counted
    mails_read: int = 0      # how many of the mails waiting to go were read (PREVIEW_MAILS)


def preview(services: Services, address: str) -> ErasePreview:
    address = checked_address(address)
    store = services.store
    tickets = _their_tickets(services, address)
    more = len(tickets) > PREVIEW_TICKETS
    messages = [m for t in tickets[:PREVIEW_TICKETS] for m in store.list_messages(t.number)
                if m.author.casefold() == address.casefold()]
    waiting = store.list_mail(pending=True, limit=PREVIEW_MAILS + 1)
    queued = [m for m in waiting[:PREVIEW_MAILS] if m.to.casefold() == address.casefold()]
    return ErasePreview(address, store.get_account(address) is not None,
                        min(len(tickets), PREVIEW_TICKETS), len(messages),
                        sum(len(m.attachments) for m in messages), len(queued), more,
                        more_mail=len(waiting) > PREVIEW_MAILS, mails_read=PREVIEW_MAILS)


def _their_tickets(services: Services, address: str) -> list:
    """Up to PREVIEW_TICKETS + 1 of the tickets they asked for, a page at a time."""
    from loket.storage.account_records import TicketQuery

    found: list = []
    while len(found) <= PREVIEW_TICKETS:
        page = services.store.list_tickets(TicketQuery(
            frozenset(services.config.products), account=address, limit=PAGE,
            after=found[-1].number if found else None))
        found += page
        if len(page) < PAGE:
            break
    return found


def checked_address(address: str) -> str:
    """The address in the form the stores key it by (domain/accounts.email_key, as sign-in
    and accounts.desk_admins compare it); refused when it cannot be one (a NUL, an RTL
    mark, a blank inside, no @, too long)."""
    address = email_key(address or "")
    if not could_be_address(address):
        raise ValidationFailed([FieldError("address", "Give the person's e-mail address.")])
    return address


def request_erase(services: Services, address: str, *, confirm: str, messages: bool,
                  requested_by: str) -> EraseJob:
    """Record the job after the admin typed the address again; it runs at the next sweep.
    `confirm` must be the address exactly as the page shows it (its stored form, from
    checked_address): typing is how the admin shows they read it, so another case of it
    or blanks around it are refused, not folded as email_key folds a sign-in."""
    address = checked_address(address)
    if confirm != address:
        raise ValidationFailed([FieldError(
            "confirm", "Type the person's address exactly as shown to confirm.")])
    now = services.clock.now()
    if _pending_for(services, address, now):
        raise ValidationFailed([FieldError(
            "address", "An erasure of this address is already queued: see the erasures "
            "list. It runs at the next sweep.")])
    job = EraseJob(id=f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}", requested_by=requested_by,
                   requested_at=now, placeholder=new_placeholder(), messages=messages,
                   address=address, address_hash=address_hash(address),
                   names=tuple(account_names(services.store.get_account(address))), due_at=now)
    services.store.create_erase_job(job)
    log.info("erase job %s queued by %s", job.id, requested_by)
    return job


def _pending_for(services: Services, address: str, now: datetime) -> bool:
    """Whether a job for `address` waits or runs. Every unfinished job is on the due
    index at most LEASE ahead of now (a claimed job's lease), and there are few of them.
    A second job would find nothing left and, with another `messages` choice, silently
    keep the texts the admin asked to remove."""
    wanted = address_hash(address)
    return any(job.address_hash == wanted and not job.done
               for job in services.store.due_erase_jobs(now + LEASE, limit=PENDING_LIMIT))


@dataclass
class JobsReport:
    chunks: int = 0
    finished: int = 0
    more: bool = False   # stopped at the deadline with work left


def run_erase_jobs(services: Services, now: datetime, *, deadline: float | None = None,
                   chunk: int = CHUNK, max_chunks: int | None = None) -> JobsReport:
    """Run the jobs due at `now`, chunk by chunk, until they are done or `deadline` (a
    time.monotonic() value) comes; `max_chunks` stops sooner (tests: a crash after N)."""
    report = JobsReport()
    for seen in services.store.due_erase_jobs(now):
        job = _claim(services, seen, now)
        if job is None:
            continue
        try:
            finished = _run(services, job, now, report, deadline, chunk, max_chunks)
        except VersionConflict:
            # Another sweep took the job over (this one outlived its lease): it goes on
            # from the last saved chunk; this sweep goes on with the other jobs.
            log.warning("erase job %s was taken over by another sweep", job.id)
            continue
        if not finished:
            report.more = True
            return report
    return report


def _claim(services: Services, seen: EraseJob, now: datetime) -> EraseJob | None:
    """The job, now this sweep's for LEASE; None if another sweep has it or it is done."""
    job = services.store.get_erase_job(seen.id)
    if job is None or job.done or job.due_at is None or job.due_at > now:
        return None
    try:
        return services.store.save_erase_job(replace(job, due_at=now + LEASE),
                                             expected_version=job.version)
    except VersionConflict:
        return None


def _run(services, job: EraseJob, now, report: JobsReport, deadline, chunk,
         max_chunks) -> bool:
    """Chunks of `job` until it is done (True) or time is up (False: due again now)."""
    from loket.storage.data_port import data_port

    port = data_port(services.store)
    eraser = Eraser(job.address, list(job.names), job.placeholder, services.blobs,
                    messages=job.messages)
    eraser.erasure.removed.update(job.removed)
    eraser.erasure.rewritten.update(job.rewritten)
    eraser.erasure.blobs = job.blobs
    while True:
        if _out_of_time(deadline) or (max_chunks is not None and report.chunks >= max_chunks):
            services.store.save_erase_job(replace(job, due_at=now),
                                          expected_version=job.version)
            return False
        cursor = erase_chunk(port, eraser, job.cursor, limit=chunk)
        report.chunks += 1
        erasure = eraser.erasure
        job = replace(job, cursor=cursor, chunks=job.chunks + 1, removed=dict(erasure.removed),
                      rewritten=dict(erasure.rewritten), blobs=erasure.blobs)
        if cursor is None:
            job = services.store.save_erase_job(job.finished(services.clock.now()),
                                                expected_version=job.version)
            report.finished += 1
            log.info("erase job %s done: %s", job.id, erasure.summary().split(": ", 1)[1])
            return True
        # The lease runs from the last saved chunk, not from the claim: a sweep with no
        # deadline (`loket serve`) may run a long job past LEASE, and another sweep must
        # not take it up meanwhile.
        job = services.store.save_erase_job(
            replace(job, due_at=services.clock.now() + LEASE), expected_version=job.version)


def _out_of_time(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline
