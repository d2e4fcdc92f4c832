"""Moving a ticket through its workflow: what agents do (answer, set status and
priority, assign) and what customers do (close, reopen, reject a solution).

Each use case goes through the workflow under the version check (services/changes.py),
queueing the e-mail to the customer about the status change (and the review board, as the
workflow says). Agents are named by a free text `agent` until accounts exist.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Sequence

from loket.domain.errors import MessageAlreadyStored, ValidationFailed
from loket.domain.events import Actor
from loket.domain.tickets import AuthorRole, Message, Ticket
from loket.domain.workflow import Event, Step
from loket.services.attachments import InlineFile, check_files
from loket.services.changes import change_ticket
from loket.services.context import Services
from loket.services.notifications import mails_for
from loket.services.replies import clean_body


# Who the timeline names when a caller (a script, an older test) names no agent.
UNNAMED_AGENT = "agent"


# -- agents ------------------------------------------------------------------------------

def agent_reply(services: Services, number: int, body: str, *, agent: str,
                status: str | None = None, public: bool = True, attachments: object = None,
                files: Sequence[InlineFile] = (), idempotency_key: str | None = None) -> Ticket:
    """An agent's answer (or, with public=False, an internal note), optionally setting
    a status with it ("answer and wait on the customer"). The customer gets the answer
    by e-mail, with the status it leaves the ticket in. Files (upload ids in
    `attachments`, or inline `files`) are stored before the message, as a customer's.
    With an `idempotency_key` (an e-mailed answer: services/agent_mail_in.py) the
    message is stored once: again, MessageAlreadyStored and nothing changes."""
    batch = check_files(services, attachments, files, ticket=number)
    try:
        body = clean_body(body)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.errors + batch.errors) from None
    if batch.errors:
        raise ValidationFailed(batch.errors)
    stored = stored_files = batch.store(services)
    workflow = services.config.workflow

    def step(ticket: Ticket, now: datetime) -> Step:
        result = workflow.agent_replied(ticket, now, public=public)
        if status is not None:
            result = _then(result, workflow.set_status(result.ticket, status, now,
                                                       by=AuthorRole.AGENT))
        return result

    def message(ticket: Ticket, now: datetime) -> list[Message]:
        return [Message(author=agent, role=AuthorRole.AGENT, body=body, created_at=now,
                        public=public, attachments=stored, idempotency_key=idempotency_key)]

    def mails(stored: Ticket, changes) -> list:
        return mails_for(services, stored, changes, answer=body if public else None,
                         files=stored_files)

    try:
        done = change_ticket(services, number, step, by=Actor(agent, AuthorRole.AGENT),
                             messages=message, mails=mails)
    except MessageAlreadyStored:
        batch.discard(services)  # A re-delivered e-mail: the first one's files stay.
        raise
    batch.settle(services, number)
    return done.ticket


def set_status(services: Services, number: int, status: str, *,
               by: str = UNNAMED_AGENT) -> Ticket:
    """An agent (`by`, their address) sets a status; its `set_by` must allow agents."""
    workflow = services.config.workflow
    return _change(services, number, lambda t, now: workflow.set_status(
        t, status, now, by=AuthorRole.AGENT), by)


def set_priority(services: Services, number: int, impact: str, urgency: str, *,
                 by: str = UNNAMED_AGENT) -> Ticket:
    """An agent sets impact and urgency; the SLA's matrix gives the priority, and the
    SLA deadlines follow from it."""
    workflow = services.config.workflow
    return _change(services, number,
                   lambda t, now: workflow.set_priority(t, impact, urgency, now), by)


def assign(services: Services, number: int, assignee: str, *,
           by: str = UNNAMED_AGENT) -> Ticket:
    """Assign the ticket to a team or agent; the workflow's "assigned" event may move it
    (out of waiting for the review board, say)."""
    workflow = services.config.workflow
    return _change(services, number, lambda t, now: workflow.assign(t, assignee, now), by)


# -- customers ---------------------------------------------------------------------------

def close_ticket(services: Services, number: int, *, body: str | None = None,
                 ticket: Ticket | None = None) -> Ticket:
    """The customer closes the ticket (in some processes: signs off the solution)."""
    return _customer_request(services, number, Event.CUSTOMER_CLOSES, body, ticket)


def reopen_ticket(services: Services, number: int, *, body: str | None = None,
                  ticket: Ticket | None = None) -> Ticket:
    return _customer_request(services, number, Event.CUSTOMER_REOPENS, body, ticket)


def reject_solution(services: Services, number: int, *, body: str | None = None,
                    ticket: Ticket | None = None) -> Ticket:
    """The customer says the solution does not solve it; `body` may say why."""
    return _customer_request(services, number, Event.CUSTOMER_REJECTS, body, ticket)


# -- inside ------------------------------------------------------------------------------

def _customer_request(services: Services, number: int, event: Event, body: str | None,
                      ticket: Ticket | None) -> Ticket:
    """A customer's request, refused (TransitionRefused) when the workflow has no way
    for it from the ticket's status. An optional comment is stored with it."""
    body = clean_body(body) if body is not None and str(body).strip() else None
    workflow = services.config.workflow

    def messages(current: Ticket, now: datetime) -> list[Message]:
        if body is None:
            return []
        return [Message(author=current.email, role=AuthorRole.CUSTOMER, body=body,
                        created_at=now)]

    done = change_ticket(services, number, lambda t, now: workflow.handle(t, event, now),
                         by=_customer_of(services, number, ticket), messages=messages,
                         ticket=ticket)
    return done.ticket


def _change(services: Services, number: int, step, by: str) -> Ticket:
    return change_ticket(services, number, step, by=Actor(by, AuthorRole.AGENT)).ticket


def _customer_of(services: Services, number: int, ticket: Ticket | None) -> Actor:
    """The customer a request comes from: the ticket's requester (whoever holds its
    link or signs in acts for them)."""
    ticket = ticket or services.store.get_ticket(number)
    return Actor(ticket.email if ticket else "customer", AuthorRole.CUSTOMER)


def _then(first: Step, second: Step) -> Step:
    return replace(second, changes=first.changes + second.changes)
