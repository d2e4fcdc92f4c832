"""The ports the services depend on. Adapters live in storage/, mail/, search/ and clock.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol, Sequence

from loket.domain.tickets import Message, NewTicket, Ticket


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class TicketStore(Protocol):
    """Where tickets live. Behaviour is defined by tests/contract/test_store_contract.py."""

    def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None,
                      fingerprint: str = "") -> tuple[Ticket, bool]:
        """Store `new` with the next sequential number and its first message, atomically.

        With an `idempotency_key` already used, return the ticket it made and False
        (nothing stored); raise IdempotencyConflict when its fingerprint differs.
        """
        ...

    def get_ticket(self, number: int) -> Ticket | None:
        ...

    def list_messages(self, number: int) -> list[Message]:
        """The ticket's messages, oldest first."""
        ...

    def save_ticket(self, ticket: Ticket, *, expected_version: int,
                    messages: Sequence[Message] = ()) -> Ticket:
        """Store `ticket` as version expected_version + 1 and append `messages`, together.

        Raise VersionConflict, writing nothing, when the stored ticket is not at
        `expected_version` (or does not exist): someone changed it meanwhile.
        """
        ...

    def due_tickets(self, now: datetime, limit: int = 100) -> list[Ticket]:
        """Tickets whose due_at is at or before `now`, earliest first, at most `limit`.

        Costs O(tickets due), never O(all tickets): stores answer from an index.
        """
        ...

    def count_hit(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        """Count one hit against `key` in the window that starts at `window_start`;
        return the count including this hit. Counters may be dropped after `expires_at`."""
        ...


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand a complete MIME message to the mail system."""
        ...


@dataclass(frozen=True)
class Suggestion:
    """A knowledge-base page that may answer what a customer is typing."""

    title: str
    url: str        # the page's path on the site, e.g. "/kb/planner/export-excel-file-locked/"
    snippet: str    # HTML: the hits in <mark>, everything else escaped
    product: str | None
    language: str


class Searcher(Protocol):
    def suggest(self, text: str, *, lang: str, product: str | None = None,
                limit: int = 5) -> list[Suggestion]:
        """The best pages for `text`, at most `limit`: pages in `lang` first, then others.

        With a `product`, only pages about that product or about every product.
        Raises loket.search.SearchIndexMissing when there is no index to search.
        """
        ...
