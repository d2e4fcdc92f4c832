"""Outgoing e-mail as the store keeps it: queued with the change that causes it, then
delivered by the dispatcher (services/mail_dispatch.py), at least once.

A queued mail holds what its template needs (kind, language, data), not rendered MIME:
rendering is the dispatcher's work, so a request only writes a small record. The
Message-ID is fixed when the mail is queued, so a repeated delivery carries the same
one and the customer's mail client shows it once.
"""

from __future__ import annotations

import enum
import itertools
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from typing import Any


class MailState(str, enum.Enum):
    PENDING = "pending"        # waiting for its (next) attempt
    SENT = "sent"              # the mail system took it
    FAILED = "failed"          # refused for good, or no luck until the give-up time
    SUPPRESSED = "suppressed"  # not sent: the address bounced hard or complained


# Mail an admin should look at: kept, listed, and sent again on request.
UNDELIVERED = (MailState.FAILED, MailState.SUPPRESSED)


@dataclass(frozen=True)
class OutgoingMail:
    """One e-mail in the queue. `data` is the template's data (JSON-able)."""

    kind: str                   # the template folder under mail/templates/
    lang: str
    to: str
    data: dict[str, Any]
    created_at: datetime
    message_id: str
    thread_root: str | None = None
    ticket: int | None = None
    id: str = field(default_factory=lambda: new_mail_id())
    state: MailState = MailState.PENDING
    attempts: int = 0
    # When the dispatcher may (next) try it; a claim moves it on by the lease.
    next_attempt_at: datetime | None = None
    # Where the give-up clock started: when queued, or when an admin retried it.
    since: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None

    def __post_init__(self):
        if self.next_attempt_at is None and self.state is MailState.PENDING:
            object.__setattr__(self, "next_attempt_at", self.created_at)
        if self.since is None:
            object.__setattr__(self, "since", self.created_at)


_sequence = itertools.count()


def new_mail_id() -> str:
    """A unique id that sorts in the order mails were made (time, then a counter), so
    mails queued in one write are sent in the order the change listed them."""
    # os.urandom(4).hex() is secrets.token_hex(4) without its two calls in between.
    return f"{time.time_ns():016x}{next(_sequence) % 0x10000:04x}{os.urandom(4).hex()}"


def new_message_id(mail_from: str) -> str:
    """A fresh Message-ID in the sender's domain."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


@dataclass(frozen=True)
class RetryPolicy:
    """How the dispatcher retries temporary failures: exponential backoff from
    `first_delay`, at most `max_delay` apart, until `give_up_after` since queueing."""

    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=48)

    def next_attempt(self, mail: OutgoingMail, now: datetime) -> datetime | None:
        """When to try again after attempt number `mail.attempts` failed, or None when
        the mail has been trying long enough."""
        if now - mail.since >= self.give_up_after:
            return None
        delay = self.first_delay * 2 ** max(mail.attempts - 1, 0)
        return now + min(delay, self.max_delay)


@dataclass(frozen=True)
class Suppression:
    """An address no mail goes to any more: it bounced hard or its owner complained."""

    address: str
    reason: str          # "bounce" or "complaint"
    detail: str
    created_at: datetime


def address_key(address: str) -> str:
    """The bare address, case-folded: how suppressions are looked up."""
    return (parseaddr(address)[1] or address).strip().lower()


class MailFailure(Exception):
    """A sender could not hand a mail over. `temporary`: worth another try later (a
    4xx answer, a connection that failed, throttling); otherwise refused for good."""

    def __init__(self, reason: str, *, temporary: bool):
        super().__init__(reason)
        self.temporary = temporary
