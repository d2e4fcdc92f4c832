"""The satisfaction report of the desk (/desk/reports): per week and per product or
agent, how the help was rated (good, bad, the comments) and how fast it came against
the SLA (first response, resolution). Pure: the service hands in the tickets and their
ratings; working times come from the business calendar.

A ticket counts in the week (Monday, business time zone) it was submitted; its agent is
its assignee ("unassigned" when none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Callable, Iterable

from loket.domain.calendar import BusinessCalendar
from loket.domain.sla import SlaTarget
from loket.domain.tickets import Ticket

UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Rated:
    ticket: int
    good: bool
    comment: str


@dataclass
class Measure:
    """Times to one SLA target: how many reached it, met it, and their median."""

    reached: int = 0
    breached: int = 0
    times: list[timedelta] = field(default_factory=list)

    @property
    def met(self) -> int:
        return self.reached - self.breached

    @property
    def median(self) -> timedelta | None:
        return median(self.times) if self.times else None


@dataclass
class Row:
    week: date          # the Monday
    group: str          # a product id or an agent
    tickets: int = 0
    good: int = 0
    bad: int = 0
    comments: list[Rated] = field(default_factory=list)
    first_response: Measure = field(default_factory=Measure)
    resolution: Measure = field(default_factory=Measure)


def week_of(moment: datetime, calendar: BusinessCalendar) -> date:
    day = moment.astimezone(calendar.zone).date()
    return day - timedelta(days=day.weekday())


def satisfaction(tickets: Iterable[tuple[Ticket, Rated | None]], *,
                 group: Callable[[Ticket], str], calendar: BusinessCalendar,
                 resolved: Callable[[Ticket], bool]) -> list[Row]:
    """Rows by week (newest first), then group; `resolved(ticket)` tells whether the
    ticket's status counts as resolved (its status_since is then when it was)."""
    rows: dict[tuple[date, str], Row] = {}
    for ticket, rating in tickets:
        key = (week_of(ticket.created_at, calendar), group(ticket))
        row = rows.setdefault(key, Row(*key))
        row.tickets += 1
        if rating is not None:
            row.good += rating.good
            row.bad += not rating.good
            if rating.comment:
                row.comments.append(rating)
        _measure(row.first_response, ticket, ticket.first_response_at,
                 SlaTarget.FIRST_RESPONSE, calendar)
        _measure(row.resolution, ticket,
                 ticket.entered_status_at if resolved(ticket) else None,
                 SlaTarget.RESOLUTION, calendar)
    return sorted(rows.values(), key=lambda r: (-r.week.toordinal(), r.group))


def _measure(measure: Measure, ticket: Ticket, reached_at: datetime | None,
             target: SlaTarget, calendar: BusinessCalendar) -> None:
    breached = target.value in ticket.sla_breaches
    if reached_at is None and not breached:
        return  # Not reached yet, and still in time: nothing to say about it.
    measure.reached += 1
    measure.breached += breached
    if reached_at is not None:
        measure.times.append(calendar.working_time(ticket.created_at, reached_at))
