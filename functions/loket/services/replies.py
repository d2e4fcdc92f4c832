"""Adding a message to a ticket: the customer adds information at any time."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from loket.domain.errors import (FieldError, MessageAlreadyStored, TransitionRefused,
                                 ValidationFailed)
from loket.domain.events import Actor
from loket.domain.text import has_visible_character, multi_line
from loket.domain.tickets import RESOLVED, AuthorRole, Message, Ticket
from loket.domain.workflow import Event, Step
from loket.services.attachments import InlineFile, check_files
from loket.services.changes import change_ticket
from loket.services.context import Services
from loket.services.agent_notices import customer_reply_notices
from loket.services.notifications import mails_for

# Solved or closed: information added then must open the ticket again, or go to a
# follow-up ticket (services/information.py), never lie unread on a finished one.
FINISHED = RESOLVED

MAX_REPLY_LENGTH = 20_000


def add_customer_reply(services: Services, number: int, body: str, *, author: str,
                       ticket: Ticket | None = None, attachments: object = None,
                       files: Sequence[InlineFile] = (),
                       idempotency_key: str | None = None, reopen: bool = False,
                       unfinished_only: bool = False) -> Ticket:
    """Append the customer's message and run the "customer reply" event through the
    workflow (waiting on the customer -> open, say); retry on a version conflict so it
    is never lost.

    A timer or an agent may change the ticket between our read and our write; the
    store then refuses the stale write and we apply the reply to the fresh ticket.
    `ticket` saves a read when the caller has just read it. Files (upload ids in
    `attachments`, or inline `files`) are stored before the message; with files the
    text may be left empty. With an `idempotency_key` the message is stored once:
    saving it again raises MessageAlreadyStored and changes nothing.

    `reopen`: the ticket is finished (solved or closed) and may open again
    (services/information.py): a reply that leaves it finished reopens it through the
    workflow's customer-reopens event (TransitionRefused, storing nothing, when the
    workflow has no way back), and the customer is told so by e-mail.
    `unfinished_only`: raise FinishedMeanwhile, storing nothing, when the ticket turns
    out finished on the write (a timer closed it after the caller read it).
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
    try:
        step = change_ticket(
            services, number, _reply_step(services, reopen, unfinished_only),
            by=Actor(author, AuthorRole.CUSTOMER),
            messages=lambda t, now: [Message(author=author, role=AuthorRole.CUSTOMER,
                                          body=body, created_at=now, attachments=stored,
                                          idempotency_key=idempotency_key)],
            ticket=ticket,
            # The customer's e-mails, and the assigned agent's if they asked (#12).
            mails=lambda t, changes: [*mails_for(services, t, changes, reopened=reopen),
                                      *customer_reply_notices(services, t, body, author)])
    except (MessageAlreadyStored, TransitionRefused, FinishedMeanwhile):
        batch.discard(services)  # A re-delivery: the first one's files are the ticket's.
        raise
    batch.settle(services, number)
    return step.ticket


class FinishedMeanwhile(Exception):
    """The ticket was finished (a timer closed it, say) between read and write."""


def _reply_step(services: Services, reopen: bool, unfinished_only: bool):
    workflow = services.config.workflow

    def step(ticket: Ticket, now: datetime) -> Step:
        if unfinished_only and services.config.status(ticket.status).category in FINISHED:
            raise FinishedMeanwhile(ticket.number)
        result = workflow.handle(ticket, Event.CUSTOMER_REPLY, now)
        if reopen and services.config.status(result.ticket.status).category in FINISHED:
            # The reply alone leaves it finished: it must open again, or be refused.
            again = workflow.handle(result.ticket, Event.CUSTOMER_REOPENS, now)
            result = Step(again.ticket, result.changes + again.changes)
        return result
    return step


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
