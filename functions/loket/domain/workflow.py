"""The workflow state machine: which status follows which event, what timers do, and
when the SLA clock runs. Pure: every method takes the ticket and the moment, and
returns the changed ticket with what happened; the services store it and tell people.

Every result carries `due_at`, the earliest pending timer or SLA deadline, so the
stores can index it and the sweeper reads only what is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Mapping

from loket.domain import desk_queues, retention, sla
from loket.domain.calendar import BusinessCalendar, Duration
from loket.domain.errors import FieldError, TransitionRefused, ValidationFailed
from loket.domain.frozen import evolve
from loket.domain.sla import SlaPolicy, SlaTarget
from loket.domain.tickets import AuthorRole, NewTicket, Status, StatusCategory, Ticket

# A sweep far behind (say, after downtime) runs the timers that fell due meanwhile
# one step at a time; a badly configured cycle of zero-length timers stops here.
MAX_STEPS = 10
MAX_ASSIGNEE_LENGTH = 200
# Marks kept in a ticket's `timers_fired` beside the timer ids (which never hold a
# colon), so both stores keep them with no new field: when the reminder went out, and
# until when a late sweep postponed the timer that moves the ticket on.
REMINDED_AT, POSTPONED_UNTIL = "reminded-at:", "postponed-until:"


class Event(StrEnum):
    CUSTOMER_REPLY = "customer-reply"
    AGENT_REPLY = "agent-reply"
    CUSTOMER_CLOSES = "customer-closes"
    CUSTOMER_REOPENS = "customer-reopens"
    CUSTOMER_REJECTS = "customer-rejects"
    ASSIGNED = "assigned"
    FIRST_RESPONSE_BREACHED = "first-response-breached"
    RESOLUTION_BREACHED = "resolution-breached"
    # Known issues (domain/known_issues.py): an agent (or the customer, "affects me
    # too") links the ticket to one, and `loket publish` finds its fix released.
    LINKED_TO_KNOWN_ISSUE = "linked-to-known-issue"
    FIX_RELEASED = "fix-released"


# Who causes each event: the status it leads to must let that role set it.
EVENT_ACTORS = {
    Event.CUSTOMER_REPLY: AuthorRole.CUSTOMER, Event.CUSTOMER_CLOSES: AuthorRole.CUSTOMER,
    Event.CUSTOMER_REOPENS: AuthorRole.CUSTOMER, Event.CUSTOMER_REJECTS: AuthorRole.CUSTOMER,
    Event.AGENT_REPLY: AuthorRole.AGENT, Event.ASSIGNED: AuthorRole.AGENT,
    Event.FIRST_RESPONSE_BREACHED: AuthorRole.SYSTEM,
    Event.RESOLUTION_BREACHED: AuthorRole.SYSTEM,
    Event.LINKED_TO_KNOWN_ISSUE: AuthorRole.AGENT, Event.FIX_RELEASED: AuthorRole.SYSTEM,
}
# Events a customer asks for on purpose: with no transition for them they are refused.
# The others (replies, assignment, breaches) happen anyway and may leave the status be.
REQUESTS = frozenset({Event.CUSTOMER_CLOSES, Event.CUSTOMER_REOPENS, Event.CUSTOMER_REJECTS})
BREACH_EVENTS = {SlaTarget.FIRST_RESPONSE: Event.FIRST_RESPONSE_BREACHED,
                 SlaTarget.RESOLUTION: Event.RESOLUTION_BREACHED}


@dataclass(frozen=True)
class Transition:
    on: Event
    to: str
    sources: frozenset[str] | None = None  # None: from any status

    def applies(self, event: Event, status: str) -> bool:
        return self.on is event and (self.sources is None or status in self.sources)


@dataclass(frozen=True)
class Timer:
    """After `after` in `status`: send a reminder, move the ticket on, or both."""

    id: str
    status: str
    after: Duration
    to: str | None = None   # None: stay, only remind
    remind: bool = True


# -- what happened, for the services to tell people ------------------------------------

@dataclass(frozen=True)
class StatusChanged:
    old: str
    new: str
    cause: str              # the event, "timer", or the role that set it
    reminder: bool = False  # the e-mail about it asks the customer for an answer
    # A timer's move: since when the ticket waited, and when the reminder went out.
    waited_since: datetime | None = None
    reminded_at: datetime | None = None


@dataclass(frozen=True)
class Reminded:
    timer: str


@dataclass(frozen=True)
class Breached:
    target: SlaTarget


Change = StatusChanged | Reminded | Breached


@dataclass(frozen=True)
class Step:
    ticket: Ticket
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Workflow:
    statuses: Mapping[str, Status]
    initial_status: str
    transitions: tuple[Transition, ...] = ()
    timers: tuple[Timer, ...] = ()
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    sla: SlaPolicy | None = None
    # What the product's review board is told: "new-ticket", "status-change", "sla-breach".
    review_board_news: frozenset[str] = frozenset()
    # A late sweep sends a missed reminder and gives the customer at least this long
    # to answer before the timer it preceded moves the ticket on.
    min_notice: timedelta = timedelta(days=1)
    # portal.yml `retention: closed_ticket_months` (domain/retention.py): a finished
    # ticket's personal data is due to go this long after it was closed; None: kept.
    closed_ticket_months: int | None = None

    def status(self, status_id: str) -> Status:
        """The status, or a plain open one for an id the configuration no longer has,
        so tickets from before a configuration change still show and move on."""
        known = self.statuses.get(status_id)
        return known or Status(status_id, StatusCategory.OPEN, {"en": status_id})

    # -- starting, and events ----------------------------------------------------------

    def start(self, new: NewTicket) -> NewTicket:
        """A new ticket's starting state: priority (from the form by the SLA's rules, else
        the default), SLA clock, first deadline."""
        # `new` is read as the ticket it will be (NewTicket answers what the rules ask
        # of a ticket): no Ticket is made to be thrown away. The SLA deadlines once,
        # for both its first deadline and its queue key (evolve: replace cost 4x more).
        new = evolve(new, **self._starting_levels(new))
        deadlines = self.sla_deadlines(new)
        return evolve(new, due_at=self.due_at(new, deadlines),
                      **self.queue_keys(new, deadlines))

    def _starting_levels(self, new: NewTicket) -> dict:
        """Impact, urgency, priority and SLA clock of a new ticket; none without an SLA."""
        if self.sla is None:
            return {}
        impact, urgency = self.sla.starting_levels(
            {"type": new.type, "product": new.product, **new.fields})
        running = self.status(new.status).sla_runs
        return {"impact": impact, "urgency": urgency,
                "priority": self.sla.priority_for(impact, urgency),
                "sla_since": new.created_at if running else None}

    def handle(self, ticket: Ticket, event: Event, now: datetime) -> Step:
        """Apply `event`. A matching transition enters its status afresh (its timers
        start again, even when the status stays the same); none leaves the status be,
        or refuses a customer's request."""
        rule = next((t for t in self.transitions if t.applies(event, ticket.status)), None)
        if rule is None:
            if event in REQUESTS:
                raise TransitionRefused(event.value, ticket.status)
            return self._step(replace(ticket, updated_at=now))
        return self._move(ticket, rule.to, now, cause=event.value)

    def agent_replied(self, ticket: Ticket, now: datetime, *, public: bool = True) -> Step:
        """An agent's answer. The first public one meets the first-response target; an
        internal note changes nothing but the time."""
        if not public:
            return self._step(replace(ticket, updated_at=now))
        if ticket.first_response_at is None:
            ticket = replace(ticket, first_response_at=now)
        return self.handle(ticket, Event.AGENT_REPLY, now)

    def set_status(self, ticket: Ticket, status_id: str, now: datetime, *,
                   by: AuthorRole) -> Step:
        status = self.statuses.get(status_id)
        if status is None:
            raise ValidationFailed([FieldError("status", f"unknown status '{status_id}'")])
        if by not in status.set_by:
            raise ValidationFailed([FieldError(
                "status", f"'{status_id}' cannot be set by the {by.value}")])
        if status_id == ticket.status:
            return self._step(ticket)
        return self._move(ticket, status_id, now, cause=by.value)

    def set_priority(self, ticket: Ticket, impact: str, urgency: str, now: datetime) -> Step:
        if self.sla is None:
            raise ValidationFailed([FieldError("priority", "this workflow has no SLA")])
        priority = self.sla.priority_for(impact, urgency)
        return self._step(replace(ticket, impact=impact, urgency=urgency, priority=priority,
                                  updated_at=now))

    def assign(self, ticket: Ticket, assignee: str, now: datetime) -> Step:
        assignee = assignee.strip() if isinstance(assignee, str) else ""
        if not assignee or len(assignee) > MAX_ASSIGNEE_LENGTH:
            raise ValidationFailed([FieldError(
                "assignee", f"is required, at most {MAX_ASSIGNEE_LENGTH} characters")])
        return self.handle(replace(ticket, assignee=assignee), Event.ASSIGNED, now)

    # -- timers and SLA ----------------------------------------------------------------

    def fire_due(self, ticket: Ticket, now: datetime) -> Step:
        """Everything due at `now`: SLA breaches first, then timers. A ticket is never
        moved on (closed, say) before its reminder went out: when a late sweep finds
        both due, it sends the reminder and postpones the move by the interval the
        timers had between them (at least `min_notice`), counted from now."""
        changes: list[Change] = []
        for _ in range(MAX_STEPS):
            breaches = [t for t, at in self.sla_deadlines(ticket).items() if at <= now]
            if breaches:
                for target in breaches:
                    step = self._breach(ticket, target, now)
                    ticket, changes = step.ticket, changes + list(step.changes)
                continue
            due = [(at, timer) for at, timer in self.timer_deadlines(ticket) if at <= now]
            movers = [(at, timer) for at, timer in due if timer.to is not None]
            reminders = [(at, timer) for at, timer in due if timer.to is None]
            if movers and reminders and not movers[0][1].remind:
                ticket = self._remind(ticket, reminders, now,
                                      postpone=self._notice(reminders[-1][0], movers[0][0],
                                                            now))
                changes.append(Reminded(reminders[-1][1].id))
            elif movers:
                step = self._move(ticket, movers[0][1].to, now, cause="timer",
                                  reminder=movers[0][1].remind,
                                  waited_since=ticket.entered_status_at,
                                  reminded_at=_marked(ticket, REMINDED_AT))
                ticket, changes = step.ticket, changes + list(step.changes)
            elif due:
                ticket = self._remind(ticket, due, now)
                changes.append(Reminded(due[-1][1].id))
            else:
                break
        return Step(self._scheduled(ticket), tuple(changes))

    def timer_deadlines(self, ticket: Ticket) -> list[tuple[datetime, Timer]]:
        """The pending timers of the ticket's status with the moment each fires (a
        move postponed by a late sweep fires when postponed to)."""
        timers = [timer for timer in self.timers
                  if timer.status == ticket.status and timer.id not in ticket.timers_fired]
        if not timers:  # As in most statuses: no marks to read.
            return []
        postponed = _marked(ticket, POSTPONED_UNTIL)
        pending = [(self._deadline(ticket, timer, postponed), timer) for timer in timers]
        return sorted(pending, key=lambda pair: pair[0])

    def _deadline(self, ticket: Ticket, timer: Timer, postponed: datetime | None) -> datetime:
        at = self.calendar.after(ticket.entered_status_at, timer.after)
        return max(at, postponed) if postponed and timer.to is not None else at

    def sla_deadlines(self, ticket: Ticket) -> dict[SlaTarget, datetime]:
        return sla.deadlines(ticket, self.sla, self.calendar)

    def due_at(self, ticket: Ticket,
               deadlines: Mapping[SlaTarget, datetime] | None = None) -> datetime | None:
        """The ticket's next moment: a timer, an SLA deadline (`deadlines`, when the
        caller has them: sla_deadlines(ticket)) or its removal."""
        moments = [at for at, _ in self.timer_deadlines(ticket)]
        moments += (self.sla_deadlines(ticket) if deadlines is None else deadlines).values()
        moments += filter(None, [self.removal_at(ticket)])
        return min(moments, default=None)

    def removal_at(self, ticket: Ticket) -> datetime | None:
        """When retention removes the finished ticket's personal data, if it does."""
        return retention.removal_at(ticket, self.status(ticket.status).category,
                                    self.closed_ticket_months)

    def answer_before(self, ticket: Ticket) -> datetime | None:
        """When a timer will move the ticket on unless the customer answers first."""
        return next((at for at, timer in self.timer_deadlines(ticket) if timer.to), None)

    # -- inside ------------------------------------------------------------------------

    def _remind(self, ticket: Ticket, due, now: datetime, *,
                postpone: datetime | None = None) -> Ticket:
        """Mark the due reminders sent (and when), postponing the move if asked."""
        marks = tuple(timer.id for _, timer in due) + (REMINDED_AT + now.isoformat(),)
        if postpone is not None:
            marks += (POSTPONED_UNTIL + postpone.isoformat(),)
        return replace(ticket, timers_fired=ticket.timers_fired + marks, updated_at=now)

    def _notice(self, reminder_at: datetime, move_at: datetime, now: datetime) -> datetime:
        """When a postponed move fires: the interval it had after its reminder, from now."""
        return now + max(move_at - reminder_at, self.min_notice)

    def _move(self, ticket: Ticket, status_id: str, now: datetime, *, cause: str,
              reminder: bool = False, waited_since: datetime | None = None,
              reminded_at: datetime | None = None) -> Step:
        old = ticket.status
        running = self.sla is not None and self.status(status_id).sla_runs
        ticket = (sla.resume(ticket, now) if running
                  else sla.pause(ticket, now, self.calendar))
        ticket = replace(ticket, status=status_id, status_since=now, timers_fired=(),
                         updated_at=now)
        changes = ((StatusChanged(old, status_id, cause, reminder, waited_since, reminded_at),)
                   if old != status_id else ())
        return Step(self._scheduled(ticket), changes)

    def _breach(self, ticket: Ticket, target: SlaTarget, now: datetime) -> Step:
        ticket = replace(ticket, sla_breaches=ticket.sla_breaches + (target.value,),
                         updated_at=now)
        step = self.handle(ticket, BREACH_EVENTS[target], now)
        return Step(step.ticket, (Breached(target),) + step.changes)

    def _step(self, ticket: Ticket) -> Step:
        return Step(self._scheduled(ticket))

    def _scheduled(self, ticket: Ticket) -> Ticket:
        deadlines = self.sla_deadlines(ticket)
        return replace(ticket, due_at=self.due_at(ticket, deadlines),
                       **self.queue_keys(ticket, deadlines))

    def queue_keys(self, ticket: Ticket,
                   deadlines: Mapping[SlaTarget, datetime] | None = None) -> dict[str, str]:
        """The ticket's place in the agents' queues (domain/desk_queues.py);
        `deadlines`: sla_deadlines(ticket), when the caller has them."""
        category = self.status(ticket.status).category
        return {"queue_category": desk_queues.queue_category(ticket, category),
                "queue_order": desk_queues.queue_order(ticket, category, self.sla,
                                                       self.calendar, deadlines)}


def _marked(ticket: Ticket, mark: str) -> datetime | None:
    """The latest moment kept under `mark` in the ticket's timers_fired, if any."""
    moments = [datetime.fromisoformat(entry[len(mark):]) for entry in ticket.timers_fired
               if entry.startswith(mark)]
    return max(moments, default=None)
