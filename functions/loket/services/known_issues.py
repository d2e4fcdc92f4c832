"""Known issues close the loop: a ticket linked to a known issue hears when its fix
is released.

- link_ticket: an agent (the desk) or the customer ("this affects me too") links a
  ticket. The workflow gets `linked-to-known-issue` (the preset may move the ticket
  to "waiting on the update"), the timeline a `known-issue` event, and the customer
  an e-mail with the issue's page and workaround: all in the ticket's one write.
- publish: `loket publish` after the site build. For every issue a published release
  note fixes, every linked ticket gets `fix-released` (the preset moves it, e.g. to
  solved), a `fix-released` event and the e-mail with the release note's link.

Both are idempotent through the ticket's timeline: the step reads the ticket's events
and changes nothing when the link (or the fix's news) is there already. The step
runs under the version check, so two runs at once cannot both tell a customer: the
second's save is refused, and on the fresh read it finds the first one's event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from loket.domain.errors import FieldError, TicketNotFound, ValidationFailed
from loket.domain.events import SYSTEM, Actor, EventKind
from loket.domain.known_issues import Catalog, KnownIssue, KnownIssueMissing
from loket.domain.tickets import Ticket
from loket.domain.workflow import Event, Step
from loket.mail.known_issues import fix_released_email, known_issue_email
from loket.services.changes import change_ticket
from loket.services.context import Services


class _NothingToDo(Exception):
    """Raised by a step that finds its work done already: nothing is stored."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket


def find_issue(catalog: Catalog, issue_id: object) -> KnownIssue:
    """The issue, or ValidationFailed naming the field `issue`."""
    try:
        return catalog.get(str(issue_id or ""))
    except KnownIssueMissing:
        raise ValidationFailed([FieldError("issue", "is no known issue")]) from None


def link_ticket(services: Services, number: int, issue: KnownIssue, *, by: Actor) -> Ticket:
    """Link the ticket to `issue`; linking again changes nothing and sends nothing.
    A ticket about another product than the issue's is refused (field `issue`)."""
    ticket = services.store.get_ticket(number)
    if ticket is None:
        raise TicketNotFound(number)
    if issue.product not in (ticket.product, "all"):
        raise ValidationFailed([FieldError("issue", "is about another product")])
    # The index first: a crash before the ticket's write leaves a link that publish
    # skips (the ticket's timeline has no link event), never a link publish misses.
    services.store.add_known_issue_link(issue.id, number, services.clock.now())
    workflow = services.config.workflow

    def step(current: Ticket, now: datetime) -> Step:
        if _has_event(services, current.number, EventKind.KNOWN_ISSUE, issue.id):
            raise _NothingToDo(current)
        return workflow.handle(current, Event.LINKED_TO_KNOWN_ISSUE, now)

    try:
        return change_ticket(
            services, number, step, by=by, ticket=ticket,
            mails=lambda stored, changes: [known_issue_email(services, stored, issue)],
            extra=[(EventKind.KNOWN_ISSUE, {"issue": issue.id})]).ticket
    except _NothingToDo as done:
        return done.ticket


@dataclass
class Published:
    """What a `loket publish` run did: (issue, ticket) pairs told, and those told before."""

    told: list[tuple[str, int]] = field(default_factory=list)
    already: list[tuple[str, int]] = field(default_factory=list)


def publish(services: Services, catalog: Catalog) -> Published:
    """Tell every ticket linked to a fixed issue that the fix is released, once."""
    done = Published()
    for issue in sorted(catalog.issues.values(), key=lambda i: i.id):
        if not issue.fixed:
            continue
        for number in services.store.known_issue_tickets(issue.id):
            if _fix_released(services, number, issue):
                done.told.append((issue.id, number))
            else:
                done.already.append((issue.id, number))
    return done


def linked_issues(services: Services, number: int) -> list[str]:
    """The known issues a ticket is linked to, in the order they were linked."""
    found = [e.detail.get("issue", "") for e in services.store.list_events(number)
             if e.kind is EventKind.KNOWN_ISSUE]
    return list(dict.fromkeys(found))


def _fix_released(services: Services, number: int, issue: KnownIssue) -> bool:
    workflow = services.config.workflow

    def step(current: Ticket, now: datetime) -> Step:
        linked = _has_event(services, current.number, EventKind.KNOWN_ISSUE, issue.id)
        if not linked or _has_event(services, current.number, EventKind.FIX_RELEASED, issue.id):
            raise _NothingToDo(current)
        return workflow.handle(current, Event.FIX_RELEASED, now)

    release = issue.release.url if issue.release else ""
    try:
        change_ticket(services, number, step, by=SYSTEM,
                      mails=lambda stored, changes: [fix_released_email(services, stored, issue)],
                      extra=[(EventKind.FIX_RELEASED, {"issue": issue.id, "release": release})])
    except (_NothingToDo, TicketNotFound):
        return False
    return True


def _has_event(services: Services, number: int, kind: EventKind, issue_id: str) -> bool:
    return any(e.kind is kind and e.detail.get("issue") == issue_id
               for e in services.store.list_events(number))
