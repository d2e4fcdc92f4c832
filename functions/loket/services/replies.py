"""Adding a message to a ticket: the customer adds information at any time."""

from __future__ import annotations

from dataclasses import replace

from loket.domain.errors import FieldError, TicketNotFound, ValidationFailed, VersionConflict
from loket.domain.tickets import AuthorRole, Message, Ticket
from loket.services.context import Services

MAX_REPLY_LENGTH = 20_000
SAVE_ATTEMPTS = 5


def add_customer_reply(services: Services, number: int, body: str, *, author: str,
                       ticket: Ticket | None = None) -> Ticket:
    """Append the customer's message; retry on a version conflict so it is never lost.

    A timer or an agent may change the ticket between our read and our write; the
    store then refuses the stale write and we apply the reply to the fresh ticket.
    `ticket` saves a read when the caller has just read it.
    """
    body = _clean_body(body)
    for _ in range(SAVE_ATTEMPTS):
        ticket = ticket or services.store.get_ticket(number)
        if ticket is None:
            raise TicketNotFound(number)
        now = services.clock.now()
        message = Message(author=author, role=AuthorRole.CUSTOMER, body=body, created_at=now)
        try:
            return services.store.save_ticket(replace(ticket, updated_at=now),
                                              expected_version=ticket.version,
                                              messages=[message])
        except VersionConflict:
            ticket = None  # Read it again: someone changed it meanwhile.
    raise VersionConflict(number)


def _clean_body(body: object) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed([FieldError("body", "is required")])
    if "\x00" in body:
        raise ValidationFailed([FieldError("body", "must not contain NUL characters")])
    body = body.strip("\r\n ")
    if len(body) > MAX_REPLY_LENGTH:
        raise ValidationFailed([FieldError(
            "body", f"is too long ({len(body)} characters; at most {MAX_REPLY_LENGTH})")])
    return body
