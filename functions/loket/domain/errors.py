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


class MessageAlreadyStored(LoketError):
    """A message with this idempotency key is on the ticket already; nothing was saved."""

    def __init__(self, number: int, key: str):
        super().__init__(f"ticket {number} has message {key} already")
        self.number = number
        self.key = key


class TransitionRefused(LoketError):
    """The workflow has no way from the ticket's status for what was asked (say, to
    reopen a ticket that is still open)."""

    def __init__(self, action: str, status: str):
        super().__init__(f"'{action}' is not possible in status '{status}'")
        self.action = action
        self.status = status


@dataclass
class RateLimited(LoketError):
    """Too many submissions (or uploads, or bytes of them) from one client address in a
    window."""

    limit: int
    window: str
    retry_after: int = field(default=0)
    unit: str = "submissions"  # what `limit` counts, as the message says it

    def __str__(self) -> str:
        return f"more than {self.limit} {self.unit} per {self.window}"


# -- accounts (domain/accounts.py) -------------------------------------------------------

class AlreadyExists(LoketError):
    """An organization or account of this name exists already."""


class SignInRequired(LoketError):
    """The request needs a signed-in account (401)."""


class Refused(LoketError):
    """The viewer may not do this (403); `detail` says why in words a customer follows.
    Never raised about a ticket the viewer may not see: that is TicketNotFound."""

    def __init__(self, detail: str, *, kind: str = "forbidden", title: str = "Not allowed"):
        super().__init__(detail)
        self.detail = detail
        self.kind = kind
        self.title = title


@dataclass
class SignInThrottled(LoketError):
    """Too many sign-in attempts for an account or from an address."""

    scope: str          # "account" or "address"
    retry_after: int    # seconds

    def __str__(self) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        return (f"Too many sign-in attempts for this {self.scope}. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.")
