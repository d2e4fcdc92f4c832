"""Merging a duplicate into another ticket, and linking related tickets.

A merge closes the duplicate with a public message pointing to the ticket it went
into, tells its customer by a queued e-mail (in the same write), and records
`merged-into` / `merged-from` events on both tickets; the desk shows the duplicate's
messages on the ticket it went into (read from the duplicate: they are never copied,
so nothing the customer sent is lost or doubled). A link is a `linked` event on both.
Both tickets must be open to the agent (their products); a merge also needs one
requester, so no customer reads another's conversation.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from loket.domain.errors import FieldError, TicketNotFound, ValidationFailed
from loket.domain.events import Actor, EventKind, links_of, merged_into
from loket.domain.tickets import AuthorRole, Message, StatusCategory, Ticket
from loket.domain.workflow import Step
from loket.mail.compose import letter
from loket.mail.notices import thread_root
from loket.services.changes import change_ticket
from loket.services.context import Services
from loket.services.desk import open_for_agent
from loket.services.sessions import Viewer

# Where a merged duplicate goes: the first of these categories the workflow lets
# agents set.
CLOSING = (StatusCategory.CLOSED, StatusCategory.CANCELLED, StatusCategory.SOLVED)
POINTER = {"en": "This request was merged into ticket #{into}; we answer both there.",
           "nl": "Deze vraag is samengevoegd met ticket #{into}; we beantwoorden ze daar samen."}


def merge(services: Services, viewer: Viewer, duplicate: int, into: object) -> Ticket:
    """Merge ticket `duplicate` into ticket `into` (as typed); the target as stored."""
    source = open_for_agent(services, viewer, duplicate)
    target = _other(services, viewer, into, "into", source)
    if source.email.casefold() != target.email.casefold():
        raise ValidationFailed([FieldError("into", (
            f"#{target.number} is another requester's ({target.email}): merge only "
            "tickets of one requester; link them instead"))])
    for ticket, why in ((source, "is merged already"), (target, "was merged into another")):
        pointer = merged_into(services.store.list_events(ticket.number))
        if pointer is not None:
            raise ValidationFailed([FieldError("into", f"#{ticket.number} {why} (#{pointer})")])
    by = Actor(viewer.account.email, AuthorRole.AGENT)
    stored = change_ticket(services, target.number, _touch, by=by,
                           extra=[(EventKind.MERGED_FROM, {"other": str(source.number)})])
    closing = _closing_status(services)

    def close(ticket: Ticket, now: datetime) -> Step:
        step = services.config.workflow.set_status(ticket, closing, now, by=AuthorRole.AGENT)
        return Step(step.ticket)  # The merge e-mail says it all: no status e-mail.

    def pointer(ticket: Ticket, now: datetime) -> list[Message]:
        text = POINTER.get(ticket.language, POINTER["en"]).format(into=target.number)
        return [Message(by.name, AuthorRole.AGENT, text, now)]

    change_ticket(services, source.number, close, by=by, messages=pointer,
                  mails=lambda ticket, changes: [merged_email(services, ticket,
                                                              stored.ticket)],
                  extra=[(EventKind.MERGED_INTO, {"other": str(target.number)})])
    return stored.ticket


def link(services: Services, viewer: Viewer, number: int, other: object) -> Ticket:
    """Link two related tickets: each shows the other. Linking twice changes nothing."""
    ticket = open_for_agent(services, viewer, number)
    related = _other(services, viewer, other, "other", ticket)
    if related.number in links_of(services.store.list_events(ticket.number)):
        return ticket
    by = Actor(viewer.account.email, AuthorRole.AGENT)
    change_ticket(services, related.number, _touch, by=by,
                  extra=[(EventKind.LINKED, {"other": str(ticket.number)})])
    return change_ticket(services, ticket.number, _touch, by=by,
                         extra=[(EventKind.LINKED, {"other": str(related.number)})]).ticket


def merged_email(services: Services, duplicate: Ticket, target: Ticket):
    config = services.config
    lang = duplicate.language if duplicate.language in ("en", "nl") else "en"
    # `customer` says whose words the subjects are, as in the agents' notices: an
    # erasure with `messages` removes them (services/erase.py).
    data = {"vendor": config.vendor, "number": duplicate.number, "into": target.number,
            "customer": duplicate.email,
            "subject": duplicate.subject, "into_subject": target.subject,
            "lookup_url": services.lookup_url(target.number, target.access_key)}
    return letter("merged", lang=lang, mail_from=services.mail_from, to=duplicate.email,
                  data=data, thread_root=thread_root(services, duplicate.number),
                  ticket=duplicate.number, created_at=services.clock.now())


def _other(services: Services, viewer: Viewer, typed: object, field: str,
           ticket: Ticket) -> Ticket:
    """The other ticket, by its number as typed ("#10002" or "10002"), if the agent may
    see it; a clear error on `field` otherwise (a forbidden one reads as unknown)."""
    text = str(typed or "").strip().removeprefix("#")
    if not text.isdigit():
        raise ValidationFailed([FieldError(field, "must be a ticket number")])
    if int(text) == ticket.number:
        raise ValidationFailed([FieldError(field, "must be another ticket than this one")])
    try:
        return open_for_agent(services, viewer, int(text))
    except TicketNotFound:
        raise ValidationFailed([FieldError(field, f"there is no ticket #{text}")]) from None


def _closing_status(services: Services) -> str:
    statuses = services.config.statuses
    for category in CLOSING:
        for status_id, status in statuses.items():
            if status.category == category and AuthorRole.AGENT in status.set_by:
                return status_id
    raise ValidationFailed([FieldError("into", "this workflow has no status that closes "
                                               "a ticket for agents")])


def _touch(ticket: Ticket, now: datetime) -> Step:
    return Step(replace(ticket, updated_at=now))
