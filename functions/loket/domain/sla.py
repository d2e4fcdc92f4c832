"""Service levels: priority from impact x urgency, and the clock that measures targets.

The clock counts working time only, and only while the ticket's status lets it run
(not while waiting on the customer or a third party, not once resolved). It is kept
as two values on the ticket, so it survives any number of pauses exactly:
`sla_used`, the working time it ran before, and `sla_since`, when it last started
(None while it stands still).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Mapping

from loket.domain.calendar import BusinessCalendar, Duration
from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.tickets import Ticket


class SlaTarget(StrEnum):
    FIRST_RESPONSE = "first-response"
    RESOLUTION = "resolution"


# Every target with its stored name, as `deadlines` asks on every new ticket and change:
# iterating the enum and reading `.value` cost more than the comparisons they feed.
_TARGETS = tuple((target, target.value) for target in SlaTarget)
# The length of one unit of a calendar duration (a working day is the calendar's).
_UNIT_LENGTH = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1)}


@dataclass(frozen=True)
class Priority:
    id: str
    labels: Mapping[str, str]
    first_response: Duration
    resolution: Duration

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id


@dataclass(frozen=True)
class FormRule:
    """Impact and/or urgency a new ticket starts with when one of its form fields says
    so: equal to a value (`equals`) or a number at least `at_least`."""

    field: str
    impact: str | None = None
    urgency: str | None = None
    equals: str | None = None
    at_least: int | None = None

    def matches(self, fields: Mapping[str, object]) -> bool:
        value = fields.get(self.field)
        if value is None:
            return False
        if self.at_least is not None:
            return isinstance(value, (int, float)) and not isinstance(value, bool) \
                and value >= self.at_least
        return str(value) == self.equals


@dataclass(frozen=True)
class SlaPolicy:
    """The priority matrix and each priority's targets."""

    impacts: tuple[str, ...]
    urgencies: tuple[str, ...]
    matrix: Mapping[tuple[str, str], str]   # (impact, urgency) -> priority id
    priorities: Mapping[str, Priority]
    default_impact: str
    default_urgency: str
    # From the workflow file's sla.from_form: for impact and for urgency apart, the
    # first rule that matches the form and names it decides; else the default.
    rules: tuple[FormRule, ...] = ()

    def starting_levels(self, fields: Mapping[str, object]) -> tuple[str, str]:
        """A new ticket's impact and urgency from its form fields."""
        impact = urgency = None
        for rule in self.rules:
            # A rule is read only while it could still decide one of them.
            if ((rule.impact and not impact) or (rule.urgency and not urgency)) \
                    and rule.matches(fields):
                impact, urgency = impact or rule.impact, urgency or rule.urgency
                if impact and urgency:
                    break
        return impact or self.default_impact, urgency or self.default_urgency

    def priority_for(self, impact: str, urgency: str) -> str:
        if impact not in self.impacts or urgency not in self.urgencies:
            raise ValidationFailed([
                FieldError(name, f"must be one of: {', '.join(allowed)}")
                for name, value, allowed in (("impact", impact, self.impacts),
                                             ("urgency", urgency, self.urgencies))
                if value not in allowed])
        return self.matrix[(impact, urgency)]

    def target(self, priority: str, target: SlaTarget,
               calendar: BusinessCalendar) -> timedelta:
        """A target as working time. A working day counts as the calendar's average
        opening hours of a working weekday, so '2 working days' at 09:00-17:00 is 16 hours."""
        level = self.priorities[priority]
        duration = level.first_response if target is SlaTarget.FIRST_RESPONSE else level.resolution
        if duration.unit == "days":
            return duration.amount * calendar.working_day()
        return duration.amount * _UNIT_LENGTH[duration.unit]


def pause(ticket: Ticket, now: datetime, calendar: BusinessCalendar) -> Ticket:
    """Stop the clock, banking the working time it ran since it last started."""
    if ticket.sla_since is None:
        return ticket
    used = ticket.sla_used + calendar.working_time(ticket.sla_since, now)
    return replace(ticket, sla_used=used, sla_since=None)


def resume(ticket: Ticket, now: datetime) -> Ticket:
    return ticket if ticket.sla_since is not None else replace(ticket, sla_since=now)


def deadlines(ticket: Ticket, policy: SlaPolicy | None,
              calendar: BusinessCalendar) -> dict[SlaTarget, datetime]:
    """The moments each target not yet met or breached will be breached, if the clock
    keeps running; empty while it stands still."""
    if policy is None or ticket.sla_since is None or ticket.priority not in policy.priorities:
        return {}
    pending = [target for target, name in _TARGETS if name not in ticket.sla_breaches
               and not (target is SlaTarget.FIRST_RESPONSE
                        and ticket.first_response_at is not None)]
    left = [policy.target(ticket.priority, target, calendar) - ticket.sla_used
            for target in pending]
    # One walk of the calendar for all of them.
    return dict(zip(pending, calendar.add_working_times(ticket.sla_since, left)))


def working_time_left(ticket: Ticket, target: SlaTarget, policy: SlaPolicy,
                      calendar: BusinessCalendar, now: datetime) -> timedelta:
    """Working time left before `target` is breached (negative once it is): what an
    agent's SLA clock shows, also while it is paused."""
    used = ticket.sla_used
    if ticket.sla_since is not None:
        used += calendar.working_time(ticket.sla_since, now)
    return policy.target(ticket.priority, target, calendar) - used


@dataclass(frozen=True)
class SlaClock:
    """What an agent's SLA clock shows for a ticket: the target it runs against and the
    working time left ("running"), or that it is "paused", "breached" or "stopped"
    (resolved, or no SLA)."""

    state: str
    target: SlaTarget | None = None
    left: timedelta | None = None


def clock_of(ticket: Ticket, policy: SlaPolicy | None, calendar: BusinessCalendar,
             now: datetime, *, resolved: bool) -> SlaClock:
    """The clock's reading at `now`: first response until it is met, then resolution."""
    if policy is None or resolved or ticket.priority not in policy.priorities:
        return SlaClock("stopped")
    met = ticket.first_response_at is not None
    target = SlaTarget.RESOLUTION if met else SlaTarget.FIRST_RESPONSE
    if target.value in ticket.sla_breaches:
        return SlaClock("breached", target)
    left = working_time_left(ticket, target, policy, calendar, now)
    if left <= timedelta(0):
        return SlaClock("breached", target)
    return SlaClock("running" if ticket.sla_since is not None else "paused", target, left)
