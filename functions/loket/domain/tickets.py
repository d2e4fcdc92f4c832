"""Tickets, their messages and statuses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from loket.domain.access_keys import same_secret
from loket.domain.attachments import Attachment
from loket.domain.frozen import make


# The largest number a store keeps (SQLite's INTEGER, a signed 64-bit number); a larger
# one names no ticket.
MAX_TICKET_NUMBER = 2**63 - 1


def is_ticket_number(number: object) -> bool:
    """True for a number that could name a ticket (bool is not a number here)."""
    return (isinstance(number, int) and not isinstance(number, bool)
            and 1 <= number <= MAX_TICKET_NUMBER)


class StatusCategory(StrEnum):
    """The fixed categories every configured status belongs to."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on-hold"
    SOLVED = "solved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AuthorRole(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


# Categories in which the ticket counts as resolved: the SLA clock stops there.
RESOLVED = frozenset({StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED})


@dataclass(frozen=True)
class Status:
    id: str
    category: StatusCategory
    labels: dict[str, str]
    # Who may put a ticket in this status: a customer's action, an agent, or a timer.
    set_by: frozenset[AuthorRole] = frozenset(AuthorRole)
    # Whether the SLA clock runs while a ticket is in this status.
    sla_runs: bool = True
    # What agents read (the desk), when it differs from the customer's label:
    # "Waiting on customer" where the customer reads "Waiting on you".
    agent_labels: dict[str, str] | None = None

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id

    def agent_label(self, lang: str) -> str:
        """The label for agents; the customer's label where the workflow gives none."""
        if self.agent_labels:
            return self.agent_labels.get(lang) or self.agent_labels.get("en") or self.label(lang)
        return self.label(lang)


@dataclass(frozen=True)
class Message:
    author: str
    role: AuthorRole
    body: str
    created_at: datetime
    public: bool = True
    # Files that came with the message; stored (blobs first) before the message is.
    attachments: tuple[Attachment, ...] = ()
    # Names this message on its ticket, so storing it again (a re-delivered e-mail, a
    # retried request) stores nothing: the store raises MessageAlreadyStored.
    idempotency_key: str | None = None


@dataclass(frozen=True)
class NewTicket:
    """What a submission asks for, validated, before the store gives it a number."""

    email: str
    product: str
    type: str
    subject: str
    description: str
    fields: dict[str, Any]
    language: str
    status: str
    created_at: datetime
    access_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # The workflow's starting state (Workflow.start fills these in).
    impact: str | None = None
    urgency: str | None = None
    priority: str | None = None
    sla_since: datetime | None = None
    due_at: datetime | None = None
    # Files submitted with the ticket: they belong to its first message.
    attachments: tuple[Attachment, ...] = ()
    # Accounts (domain/accounts.py): the submitter's organization, when signed in, and
    # the solved or closed ticket this one follows up.
    organization: str | None = None
    follow_up_of: int | None = None
    # Its place in the agents' queues (domain/desk_queues.py), set by Workflow.start.
    queue_category: str | None = None
    queue_order: str | None = None
    # The agent who took it on the telephone (services/intake.py): the actor of its
    # created event only; the ticket itself is the customer's.
    taken_by: str | None = None

    # What the workflow reads of a ticket (its SLA deadlines, timers, queue keys), as a
    # new one stands: not answered, no SLA time used, nothing breached or fired, in its
    # status since it was made. So Workflow.start reads them here rather than from a
    # Ticket made to be thrown away (tests/unit/test_workflow.py compares both).
    first_response_at: ClassVar[datetime | None] = None
    sla_used: ClassVar[timedelta] = timedelta(0)
    sla_breaches: ClassVar[tuple[str, ...]] = ()
    timers_fired: ClassVar[tuple[str, ...]] = ()

    @property
    def entered_status_at(self) -> datetime:
        return self.created_at

    def first_message(self) -> Message:
        return make(Message, dict(author=self.email, role=AuthorRole.CUSTOMER,
                                  body=self.description, created_at=self.created_at,
                                  attachments=self.attachments))


@dataclass(frozen=True)
class Ticket:
    number: int
    access_key: str
    email: str
    product: str
    type: str
    subject: str
    fields: dict[str, Any]
    language: str
    status: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    # The next moment a timer or SLA deadline of this ticket falls; None when nothing
    # is pending. Stores index it, so the sweeper reads only what is due.
    due_at: datetime | None = None
    # Workflow state (domain/workflow.py): when the ticket entered its status, and
    # which of that status's reminders went out already.
    status_since: datetime | None = None
    timers_fired: tuple[str, ...] = ()
    assignee: str | None = None
    # SLA state (domain/sla.py). The clock had run `sla_used` (working time) when it
    # last started at `sla_since`, and runs on from there; None while it stands still.
    impact: str | None = None
    urgency: str | None = None
    priority: str | None = None
    first_response_at: datetime | None = None
    sla_used: timedelta = timedelta(0)
    sla_since: datetime | None = None
    sla_breaches: tuple[str, ...] = ()
    # Accounts: the organization whose plan the ticket counts against (None for an
    # anonymous submission), whether an agent marked it warranty (then it does not
    # count), and the earlier ticket it follows up.
    organization: str | None = None
    warranty: bool = False
    follow_up_of: int | None = None
    # Its place in the agents' queues (domain/desk_queues.py): worked out by the
    # workflow at every step, like due_at, so the stores index the desk's views.
    queue_category: str | None = None
    queue_order: str | None = None

    @classmethod
    def from_new(cls, number: int, new: NewTicket, **starting: Any) -> "Ticket":
        """The stored ticket `new` becomes; `starting`: values that stand in for new's.
        Made by frozen.make: the store makes one per submission, and the constructor
        cost 4x more."""
        values = dict(number=number, access_key=new.access_key, email=new.email,
                      product=new.product, type=new.type, subject=new.subject,
                      fields=dict(new.fields), language=new.language, status=new.status,
                      created_at=new.created_at, updated_at=new.created_at,
                      due_at=new.due_at, status_since=new.created_at, impact=new.impact,
                      urgency=new.urgency, priority=new.priority, sla_since=new.sla_since,
                      organization=new.organization, follow_up_of=new.follow_up_of,
                      queue_category=new.queue_category, queue_order=new.queue_order)
        values.update(starting)
        return make(cls, values)

    @property
    def entered_status_at(self) -> datetime:
        """When the ticket entered its current status (older records lack status_since)."""
        return self.status_since or self.created_at

    def opens_with(self, key: str | None) -> bool:
        """True when `key` is this ticket's secret access key (constant time)."""
        return same_secret(self.access_key, key)
