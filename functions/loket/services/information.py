"""Information a customer adds to a ticket, by the portal page, the API or an e-mail
reply. On an unfinished ticket it is a reply. On a finished (solved or closed) one it
must reach someone: within `accounts.reopen_within_days` it opens the ticket again
through the workflow; after that, or when the workflow has no way back, it starts a
follow-up ticket linked to the old one. Either way the customer is told by e-mail (the
status mail says "reopened", the follow-up's receipt names the old ticket) and the
caller tells them on the page (`Added.outcome`); the agent finds it in the desk queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from loket.domain.errors import FieldError, MessageAlreadyStored, TransitionRefused, \
    ValidationFailed
from loket.domain.tickets import Ticket
from loket.services.attachments import InlineFile
from loket.services.context import Services
from loket.services.followups import follow_up, may_reopen_in_place
from loket.services.replies import (FINISHED, FinishedMeanwhile, add_customer_reply,
                                    clean_body)
from loket.services.sessions import Viewer

ADDED, REOPENED, FOLLOW_UP = "added", "reopened", "follow-up"


@dataclass(frozen=True)
class Added:
    ticket: Ticket   # the ticket that holds the information now
    outcome: str     # ADDED, REOPENED or FOLLOW_UP
    follow_up_of: int | None = None


def add_information(services: Services, ticket: Ticket, body: object, *, author: str,
                    attachments: object = None, files: Sequence[InlineFile] = (),
                    idempotency_key: str | None = None, viewer: Viewer | None = None,
                    client_address: str = "unknown") -> Added:
    """Store the customer's message where someone will read it (see the module)."""
    if services.config.status(ticket.status).category not in FINISHED:
        try:
            return Added(_reply(services, ticket, body, author, attachments, files,
                                idempotency_key, unfinished_only=True), ADDED)
        except FinishedMeanwhile:
            # A timer closed it after we read it: decide again on the closed ticket.
            ticket = services.store.get_ticket(ticket.number) or ticket
    if may_reopen_in_place(services, ticket):
        try:
            return Added(_reply(services, ticket, body, author, attachments, files,
                                idempotency_key, reopen=True), REOPENED)
        except TransitionRefused:
            pass  # The workflow has no way back from this status: a follow-up.
    new = _follow_up(services, ticket, body, author, attachments, files, idempotency_key,
                     viewer, client_address)
    return Added(new, FOLLOW_UP, ticket.number)


def _reply(services, ticket, body, author, attachments, files, key, *, reopen=False,
           unfinished_only=False):
    return add_customer_reply(services, ticket.number, body, author=author, ticket=ticket,
                              attachments=attachments, files=files, idempotency_key=key,
                              reopen=reopen, unfinished_only=unfinished_only)


def _follow_up(services: Services, ticket: Ticket, body: object, author: str,
               attachments: object, files: Sequence[InlineFile], key: str | None,
               viewer: Viewer | None, client_address: str) -> Ticket:
    """The follow-up ticket, its description the message when it fits the form; the
    files (and a message too long for a description) go in as its first reply."""
    text = _text_or_empty(body, attachments, files)
    limit = services.config.form.field("description").max_length or 10_000
    described = text if text and len(text) <= limit else None
    new = follow_up(services, ticket, body=described, viewer=viewer,
                    client_address=client_address, idempotency_key=key)
    if attachments or files or (text and described is None):
        try:
            add_customer_reply(services, new.number, "" if described else text,
                               author=author, ticket=new, attachments=attachments,
                               files=files, idempotency_key=key)
        except MessageAlreadyStored:
            pass  # A re-delivered mail: the first delivery stored it.
    return services.store.get_ticket(new.number) or new


def _text_or_empty(body: object, attachments: object, files: Sequence[InlineFile]) -> str:
    """The cleaned text, checked before anything is made; empty only with files."""
    try:
        return clean_body(body)
    except ValidationFailed as exc:
        if (attachments or files) and not str(body or "").strip():
            return ""
        raise ValidationFailed([FieldError(e.field, e.message) for e in exc.errors]) \
            from None
