"""Domain errors. The web edge turns each into a problem-details response."""

from __future__ import annotations

from dataclasses import dataclass, field


class LoketError(Exception):
    """Base class of every error the services raise on purpose."""


@dataclass
class FieldError:
    field: str
    message: str


class ValidationFailed(LoketError):
    """The input was refused; `errors` names every bad field."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class TicketNotFound(LoketError):
    """No such ticket, or one the caller may not see: both answer the same."""


class UploadNotFound(LoketError):
    """No upload waits under this id for this token (unknown, expired or done)."""


class AttachmentNotFound(LoketError):
    """The ticket has no such attachment (or no thumbnail of it)."""


class IdempotencyConflict(LoketError):
    """An Idempotency-Key was reused for a different request."""


class VersionConflict(LoketError):
    """The record changed since it was read; the caller should re-read and retry."""


class TransitionRefused(LoketError):
    """The workflow has no way from the ticket's status for what was asked (say, to
    reopen a ticket that is still open)."""

    def __init__(self, action: str, status: str):
        super().__init__(f"'{action}' is not possible in status '{status}'")
        self.action = action
        self.status = status


@dataclass
class RateLimited(LoketError):
    """Too many submissions from one client address in a window."""

    limit: int
    window: str
    retry_after: int = field(default=0)

    def __str__(self) -> str:
        return f"more than {self.limit} submissions per {self.window}"
