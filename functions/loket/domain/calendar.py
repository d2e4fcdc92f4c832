"""Working time: opening hours per weekday and closed days, in the vendor's time zone.

Timers and SLA targets are written as durations ("7 days", "3 working days",
"4 working hours"); a BusinessCalendar turns them into moments. Every moment it
returns is in UTC, which is what the stores keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Container, Literal, Mapping, Sequence

Unit = Literal["minutes", "hours", "days"]
_UNIT = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1)}
_DURATION = re.compile(r"^\s*(\d{1,5})\s+(working\s+)?(minute|hour|day)s?\s*$", re.IGNORECASE)
_ZERO = timedelta(0)
# A calendar with no working time at all would make the search for the next open
# hour endless; ten years is far beyond any timer and still ends.
_SEARCH_DAYS = 3660
_ONE_DAY = timedelta(days=1)
_WORKING_DAY = "working-day"  # its key in BusinessCalendar._memo, beside the dates


@dataclass(frozen=True)
class Duration:
    """A length of time as people write it: calendar or working minutes, hours, days."""

    amount: int
    unit: Unit
    working: bool = False

    @classmethod
    def parse(cls, text: str) -> "Duration":
        """"7 days", "3 working days", "24 hours", "4 working hours", "30 minutes"."""
        match = _DURATION.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"'{text}' is not a duration: write e.g. '7 days', "
                             "'3 working days', '24 hours' or '4 working hours'")
        amount, working, unit = match.groups()
        return cls(int(amount), f"{unit.lower()}s", working is not None)  # type: ignore[arg-type]

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {'working ' if self.working else ''}{unit}"


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday (0 = Monday) and closed days such as public holidays."""

    zone: tzinfo = timezone.utc
    hours: Mapping[int, tuple[tuple[time, time], ...]] = field(default_factory=lambda: {
        day: ((time(9), time(17)),) for day in range(5)})
    closed_days: Container[date] = frozenset()
    # Worked out once per calendar, not on every deadline (each new ticket's SLA
    # deadlines and queue key ask for the same few days): each day's opening periods
    # in UTC, and the working day's length. Left out of pickles and comparisons.
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _memo={})

    def is_working_day(self, day: date) -> bool:
        return bool(self.hours.get(day.weekday())) and day not in self.closed_days

    def after(self, start: datetime, duration: Duration) -> datetime:
        """The moment `duration` after `start`."""
        if duration.unit == "days":
            if duration.working:
                return self.add_working_days(start, duration.amount)
            # Calendar days keep the wall-clock time, also across a change to summer time.
            local = start.astimezone(self.zone)
            return _utc(datetime.combine(local.date() + timedelta(days=duration.amount),
                                         local.time(), tzinfo=self.zone))
        amount = duration.amount * _UNIT[duration.unit]
        if duration.working:
            return self.add_working_time(start, amount)
        return _utc(start) + amount

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same time of day on the `days`-th working day after start's date."""
        local = start.astimezone(self.zone)
        day, counted = local.date(), 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return _utc(datetime.combine(day, local.time(), tzinfo=self.zone))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment when `amount` of opening time has passed since `start`."""
        return self.add_working_times(start, (amount,))[0]

    def add_working_times(self, start: datetime, amounts: Sequence[timedelta]) -> list[datetime]:
        """add_working_time for each of `amounts`, in one walk over the opening periods:
        a ticket's SLA deadlines (first response, resolution) share their first days."""
        start = _utc(start)
        found = [start] * len(amounts)
        # The amounts to walk, shortest first, each with its place in `amounts`.
        pending = sorted((amount, i) for i, amount in enumerate(amounts) if amount > _ZERO)
        if not pending:
            return found
        walked = _ZERO  # Opening time in the periods before this one.
        k = 0
        for opens, closes in self._open_periods(start):
            begin = max(opens, start)
            length = closes - begin
            while pending[k][0] - walked <= length:
                amount, i = pending[k]
                found[i] = begin + (amount - walked)
                k += 1
                if k == len(pending):
                    return found
            walked += length
        raise ValueError("the business calendar has no working time left")

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """How much opening time lies between start and end."""
        start, end = _utc(start), _utc(end)
        total = _ZERO
        if end <= start:
            return total
        for opens, closes in self._open_periods(start):
            if opens >= end:
                break
            total += min(closes, end) - max(opens, start)
        return total

    def working_day(self) -> timedelta:
        """The opening time of an average working weekday: what "a working day" of an
        SLA target is worth (eight hours for 09:00-17:00)."""
        found = self._memo.get(_WORKING_DAY)
        if found is None:
            days = [sum((_length(o, c) for o, c in periods), _ZERO)
                    for periods in self.hours.values() if periods]
            found = self._memo[_WORKING_DAY] = (sum(days, _ZERO) / len(days) if days
                                                else _ZERO)
        return found

    def _open_periods(self, start: datetime):
        """Opening periods, in UTC, that end after `start`, in time order."""
        day = start.astimezone(self.zone).date()
        for _ in range(_SEARCH_DAYS):
            for period in self._periods_of(day):
                if period[1] > start:
                    yield period
            day += _ONE_DAY

    def _periods_of(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's opening periods in UTC; none on a day it is closed."""
        periods = self._memo.get(day)
        if periods is None:
            periods = self._memo[day] = tuple(
                (_utc(datetime.combine(day, opens, tzinfo=self.zone)),
                 _utc(datetime.combine(day, closes, tzinfo=self.zone)))
                for opens, closes in self.hours[day.weekday()]
            ) if self.is_working_day(day) else ()
        return periods


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _length(opens: time, closes: time) -> timedelta:
    return datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
