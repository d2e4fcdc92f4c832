"""Adding a message to a ticket: the customer adds information at any time."""

from __future__ import annotations

from typing import Sequence

from loket.domain.errors import FieldError, MessageAlreadyStored, ValidationFailed
from loket.domain.text import has_visible_character, multi_line
from loket.domain.tickets import AuthorRole, Message, Ticket
from loket.domain.workflow import Event
from loket.services.attachments import InlineFile, check_files
from loket.services.changes import change_ticket
from loket.services.context import Services

MAX_REPLY_LENGTH = 20_000


def add_customer_reply(services: Services, number: int, body: str, *, author: str,
                       ticket: Ticket | None = None, attachments: object = None,
                       files: Sequence[InlineFile] = (),
                       idempotency_key: str | None = None) -> Ticket:
    """Append the customer's message and run the "customer reply" event through the
    workflow (waiting on the customer -> open, say); retry on a version conflict so it
    is never lost.

    A timer or an agent may change the ticket between our read and our write; the
    store then refuses the stale write and we apply the reply to the fresh ticket.
    `ticket` saves a read when the caller has just read it. Files (upload ids in
    `attachments`, or inline `files`) are stored before the message; with files the
    text may be left empty. With an `idempotency_key` the message is stored once:
    saving it again raises MessageAlreadyStored and changes nothing.
    """
    batch = check_files(services, attachments, files, ticket=number)
    try:
        body = clean_body(body)
    except ValidationFailed as exc:
        if batch.errors or not batch.files or str(body or "").strip():
            raise ValidationFailed(exc.errors + batch.errors) from None
        body = ""  # The files are the message.
    if batch.errors:
        raise ValidationFailed(batch.errors)
    stored = batch.store(services)
    workflow = services.config.workflow
    try:
        step = change_ticket(
            services, number, lambda t, now: workflow.handle(t, Event.CUSTOMER_REPLY, now),
            messages=lambda t, now: [Message(author=author, role=AuthorRole.CUSTOMER,
                                          body=body, created_at=now, attachments=stored,
                                          idempotency_key=idempotency_key)],
            ticket=ticket)
    except MessageAlreadyStored:
        batch.discard(services)  # A re-delivery: the first one's files are the ticket's.
        raise
    batch.settle(services, number)
    return step.ticket


def clean_body(body: object) -> str:
    """A message body, cleaned (domain/text.multi_line: lines and tabs kept, other
    control characters dropped); refused when it shows nothing or is too long."""
    body = multi_line(body) if isinstance(body, str) else ""
    if not has_visible_character(body):
        raise ValidationFailed([FieldError("body", "is required")])
    if len(body) > MAX_REPLY_LENGTH:
        raise ValidationFailed([FieldError(
            "body", f"is too long ({len(body)} characters; at most {MAX_REPLY_LENGTH})")])
    return body
