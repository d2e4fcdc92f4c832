"""Tickets, their messages and statuses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class StatusCategory(StrEnum):
    """The fixed categories every configured status belongs to."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on-hold"
    SOLVED = "solved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class TicketType(StrEnum):
    QUESTION = "question"
    CHANGE_REQUEST = "change-request"
    PROBLEM_REPORT = "problem-report"
    INCIDENT = "incident"


class AuthorRole(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True)
class Status:
    id: str
    category: StatusCategory
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id


@dataclass(frozen=True)
class Message:
    author: str
    role: AuthorRole
    body: str
    created_at: datetime
    public: bool = True


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

    def first_message(self) -> Message:
        return Message(author=self.email, role=AuthorRole.CUSTOMER,
                       body=self.description, created_at=self.created_at)


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
    # The next moment a timer of this ticket fires; None when nothing is pending.
    # Stores index it, so the sweeper reads only what is due.
    due_at: datetime | None = None

    @classmethod
    def from_new(cls, number: int, new: NewTicket) -> "Ticket":
        return cls(number=number, access_key=new.access_key, email=new.email,
                   product=new.product, type=new.type, subject=new.subject,
                   fields=dict(new.fields), language=new.language, status=new.status,
                   created_at=new.created_at, updated_at=new.created_at)

    def opens_with(self, key: str | None) -> bool:
        """True when `key` is this ticket's secret access key (constant time)."""
        return bool(key) and secrets.compare_digest(self.access_key, key)
