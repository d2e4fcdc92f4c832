"""The shape of a workflow file (site_config/presets/<name>/workflow.yml): statuses,
transitions, timers, business calendar, SLA and who is told what. Validated with
pydantic; `WorkflowFile.problems()` finds what refers to something that is not there,
and `build()` turns the file into the domain's Workflow.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from loket.config.closed_days import ClosedDays
from loket.domain.calendar import BusinessCalendar, Duration
from loket.domain.forms import Labels
from loket.domain.sla import FormRule, Priority, SlaPolicy
from loket.domain.tickets import RESOLVED, AuthorRole, Status, StatusCategory
from loket.domain.workflow import EVENT_ACTORS, Event, Timer, Transition, Workflow

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# A status's SLA clock by default: it runs while support has the ball, pauses while
# the customer or a third party has it, and stops once the ticket is resolved.
PAUSED_BY_DEFAULT = {StatusCategory.PENDING, StatusCategory.ON_HOLD}


def _duration(value: Any) -> Duration:
    return value if isinstance(value, Duration) else Duration.parse(value)


def _periods(value: Any) -> tuple[tuple[time, time], ...]:
    if value is None or value == "":
        return ()  # Closed all day.
    if not isinstance(value, str):
        raise ValueError("write the opening hours as text, e.g. '09:00-17:00'")
    return tuple(_period(text) for text in value.split(",") if text.strip())


def _zone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"'{value}' is not a time zone: write e.g. Europe/Amsterdam") from None
    return value


DurationText = Annotated[Duration, BeforeValidator(_duration)]
Periods = Annotated[tuple[tuple[time, time], ...], BeforeValidator(_periods)]
# "sla-breached" in a transition stands for a breach of either target.
EventName = Literal[tuple(e.value for e in Event) + ("sla-breached",)]  # type: ignore[valid-type]


class Strict(BaseModel):
    # defer_build: the validator is built on first use, so a cold start that loads the
    # precompiled configuration (loket.config.compiled) never builds it.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class StatusSpec(Strict):
    id: Id
    category: StatusCategory
    label: Labels
    # The label agents read on the desk; default: the customer's `label`.
    agent_label: Labels | None = None
    set_by: list[AuthorRole] = Field(default_factory=lambda: list(AuthorRole), min_length=1)
    sla_clock: Literal["runs", "paused"] | None = None

    def status(self) -> Status:
        if self.category in RESOLVED:
            runs = False  # A resolved ticket's clock always stands still.
        else:
            runs = (self.sla_clock or ("paused" if self.category in PAUSED_BY_DEFAULT
                                       else "runs")) == "runs"
        return Status(self.id, self.category, self.label.model_dump(), frozenset(self.set_by),
                      runs, self.agent_label.model_dump() if self.agent_label else None)


class TransitionSpec(Strict):
    event: EventName
    from_: list[Id] | None = Field(default=None, alias="from")
    to: Id

    def transitions(self) -> list[Transition]:
        events = ([Event.FIRST_RESPONSE_BREACHED, Event.RESOLUTION_BREACHED]
                  if self.event == "sla-breached" else [Event(self.event)])
        sources = frozenset(self.from_) if self.from_ is not None else None
        return [Transition(event, self.to, sources) for event in events]


class TimerSpec(Strict):
    id: Id | None = None
    in_: Id = Field(alias="in")
    after: DurationText
    do: Literal["remind", "move", "close"]
    to: Id | None = None
    # With move or close: the e-mail about the move asks the customer for an answer.
    remind: bool = False

    def timer_id(self) -> str:
        return self.id or f"{self.do}-after-{str(self.after).replace(' ', '-')}"


class CalendarSpec(Strict):
    timezone: Annotated[str, BeforeValidator(_zone)] = "UTC"
    # Public holidays of this country (ISO 3166 code) are closed, from the `holidays` package.
    holidays: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    subdivision: str | None = None
    # Per weekday: "09:00-17:00", or several periods "08:30-12:00, 13:00-17:00".
    # A weekday left out (or left empty) is closed.
    hours: dict[Literal[WEEKDAYS], Periods] = Field(  # type: ignore[valid-type]
        default_factory=lambda: {day: "09:00-17:00" for day in WEEKDAYS[:5]},
        validate_default=True)
    closed: list[date] = Field(default_factory=list)


class PrioritySpec(Strict):
    id: Id
    label: Labels
    first_response: DurationText
    resolution: DurationText


class FormRuleSpec(Strict):
    """sla.from_form: a form field that sets a new ticket's impact and/or urgency."""

    field: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    equals: str | None = None
    at_least: int | None = None
    impact: Id | None = None
    urgency: Id | None = None

    def rule(self) -> FormRule:
        return FormRule(self.field, self.impact, self.urgency, self.equals, self.at_least)


class SlaSpec(Strict):
    impacts: list[Id] = Field(min_length=1)
    urgencies: list[Id] = Field(min_length=1)
    # impact -> urgency -> priority id
    matrix: dict[str, dict[str, str]]
    default: dict[Literal["impact", "urgency"], str]
    priorities: list[PrioritySpec] = Field(min_length=1)
    from_form: list[FormRuleSpec] = Field(default_factory=list)


class NotifySpec(Strict):
    # What the product's review board (portal.yml, products[].review_board) is told.
    review_board: list[Literal["new-ticket", "status-change", "sla-breach"]] = Field(
        default_factory=lambda: ["sla-breach"])


class WorkflowFile(Strict):
    description: str = ""
    statuses: list[StatusSpec] = Field(min_length=1)
    initial_status: Id
    transitions: list[TransitionSpec] = Field(default_factory=list)
    timers: list[TimerSpec] = Field(default_factory=list)
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    sla: SlaSpec | None = None
    notify: NotifySpec = Field(default_factory=NotifySpec)

    def problems(self) -> list[tuple[tuple, str]]:
        """Everything that refers to what is not there, as (location, message)."""
        from loket.config.workflow_checks import find_problems

        return find_problems(self)

    def review_board_news(self) -> list[str]:
        """What this workflow tells review boards; they need an address if anything."""
        return [news for news in self.notify.review_board
                if news != "sla-breach" or self.sla is not None]

    def build(self) -> Workflow:
        statuses = {spec.id: spec.status() for spec in self.statuses}
        return Workflow(
            statuses=statuses, initial_status=self.initial_status,
            transitions=tuple(t for spec in self.transitions for t in spec.transitions()),
            timers=tuple(self._timer(spec, statuses) for spec in self.timers),
            calendar=self._calendar(), sla=self._sla(),
            review_board_news=frozenset(self.review_board_news()))

    def _timer(self, spec: TimerSpec, statuses: dict[str, Status]) -> Timer:
        to = spec.to
        if spec.do == "close" and to is None:
            to = closing_status(statuses)
        return Timer(spec.timer_id(), spec.in_, spec.after, to,
                     remind=spec.do == "remind" or spec.remind)

    def _calendar(self) -> BusinessCalendar:
        from zoneinfo import ZoneInfo

        spec = self.calendar
        hours = {WEEKDAYS.index(day): periods for day, periods in spec.hours.items() if periods}
        closed = ClosedDays(spec.holidays, spec.subdivision, frozenset(spec.closed))
        return BusinessCalendar(ZoneInfo(spec.timezone), hours, closed)

    def _sla(self) -> SlaPolicy | None:
        if self.sla is None:
            return None
        spec = self.sla
        return SlaPolicy(
            impacts=tuple(spec.impacts), urgencies=tuple(spec.urgencies),
            matrix={(i, u): p for i, row in spec.matrix.items() for u, p in row.items()},
            priorities={p.id: Priority(p.id, p.label.model_dump(), p.first_response,
                                       p.resolution) for p in spec.priorities},
            default_impact=spec.default["impact"], default_urgency=spec.default["urgency"],
            rules=tuple(rule.rule() for rule in spec.from_form))


def closing_status(statuses: dict[str, Status]) -> str | None:
    """Where a timer that closes a ticket takes it: the first closed status a timer may set."""
    return next((s.id for s in statuses.values() if s.category is StatusCategory.CLOSED
                 and AuthorRole.SYSTEM in s.set_by), None)


def event_actor(event: str) -> AuthorRole:
    return AuthorRole.SYSTEM if event == "sla-breached" else EVENT_ACTORS[Event(event)]


def _period(text: str) -> tuple[time, time]:
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(f"'{text.strip()}' is not a period: write e.g. 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    opens, closes = time(h1, m1), time(h2, m2) if h2 < 24 else time(23, 59, 59)
    if closes <= opens:
        raise ValueError(f"'{text.strip()}' closes before it opens")
    return opens, closes

