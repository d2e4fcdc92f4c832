"""Working time: opening hours, public holidays, time zones, durations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.domain.calendar import BusinessCalendar, Duration
from tests.unit import pre_13_oracles as oracles

AMS = ZoneInfo("Europe/Amsterdam")
NL_2026 = {date(2026, 4, 27), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}
NINE_TO_FIVE = {day: ((time(9), time(17)),) for day in range(5)}
CAL = BusinessCalendar(AMS, NINE_TO_FIVE, frozenset(NL_2026))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


def local(moment: datetime) -> str:
    return moment.astimezone(AMS).strftime("%a %Y-%m-%d %H:%M")


@pytest.mark.parametrize("text, expected", [
    ("7 days", Duration(7, "days")), ("1 day", Duration(1, "days")),
    ("3 working days", Duration(3, "days", True)), ("24 hours", Duration(24, "hours")),
    ("4 Working Hours", Duration(4, "hours", True)), ("30 minutes", Duration(30, "minutes")),
])
def test_durations_read_as_people_write_them(text, expected):
    assert Duration.parse(text) == expected


@pytest.mark.parametrize("text", ["7", "a week", "7 weeks", "-1 days", "7 workdays", ""])
def test_a_bad_duration_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="write e.g. '7 days'"):
        Duration.parse(text)


def test_duration_reads_back():
    assert str(Duration(1, "hours", True)) == "1 working hour"
    assert str(Duration(7, "days")) == "7 days"


@pytest.mark.parametrize("start, duration, expected", [
    # Working days keep the time of day and skip weekends and holidays.
    ("2026-12-18 14:00", "7 working days", "Wed 2026-12-30 14:00"),
    ("2026-12-30 14:00", "3 working days", "Tue 2027-01-05 14:00"),
    ("2026-04-24 10:00", "1 working day", "Tue 2026-04-28 10:00"),  # King's Day
    ("2026-12-19 10:00", "1 working day", "Mon 2026-12-21 10:00"),  # from a Saturday
    # Working hours run only while open.
    ("2026-04-24 15:00", "6 working hours", "Tue 2026-04-28 13:00"),
    ("2026-04-20 09:00", "8 working hours", "Mon 2026-04-20 17:00"),
    ("2026-04-20 07:00", "1 working hour", "Mon 2026-04-20 10:00"),  # before opening
    ("2026-04-20 18:00", "30 working minutes", "Tue 2026-04-21 09:30"),  # after closing
    # Calendar time ignores the calendar, and keeps the wall clock across summer time.
    ("2026-12-24 10:00", "24 hours", "Fri 2026-12-25 10:00"),
    ("2026-03-27 10:00", "7 days", "Fri 2026-04-03 10:00"),
    ("2026-03-28 12:00", "24 hours", "Sun 2026-03-29 13:00"),  # 24 real hours
])
def test_after(start, duration, expected):
    assert local(CAL.after(at(start), Duration.parse(duration))) == expected


def test_working_time_between_two_moments():
    assert CAL.working_time(at("2026-04-24 15:00"), at("2026-04-28 13:00")) == timedelta(hours=6)
    assert CAL.working_time(at("2026-04-25 10:00"), at("2026-04-26 10:00")) == timedelta(0)
    assert CAL.working_time(at("2026-04-28 13:00"), at("2026-04-24 15:00")) == timedelta(0)


def test_moments_come_back_in_utc():
    assert CAL.after(at("2026-04-20 09:00"), Duration(1, "hours", True)).tzinfo == timezone.utc


def test_several_periods_a_day_and_a_working_day_is_their_average():
    split = BusinessCalendar(AMS, {0: ((time(8, 30), time(12)), (time(13), time(17))),
                                   4: ((time(9), time(12)),)})
    assert local(split.after(at("2026-04-20 11:00"), Duration(2, "hours", True))) == \
        "Mon 2026-04-20 14:00"
    assert local(split.after(at("2026-04-20 16:00"), Duration(2, "hours", True))) == \
        "Fri 2026-04-24 10:00"
    assert split.working_day() == timedelta(hours=(7.5 + 3) / 2)


def test_a_calendar_without_working_time_says_so():
    with pytest.raises(ValueError, match="no working time"):
        BusinessCalendar(AMS, {}).add_working_time(at("2026-04-20 09:00"), timedelta(hours=1))


@pytest.mark.parametrize("start", ["2026-04-24 15:00", "2026-04-25 10:00", "2026-04-27 08:00"])
def test_several_amounts_in_one_walk_each_come_to_its_own_moment(start):
    # In any order, none, equal ones, one ending as a day closes, one beyond a holiday.
    amounts = [timedelta(hours=20), timedelta(0), timedelta(hours=2), timedelta(hours=-1),
               timedelta(hours=2), timedelta(hours=8), timedelta(minutes=1)]
    moments = CAL.add_working_times(at(start), amounts)
    assert moments == [CAL.add_working_times(at(start), [a])[0] for a in amounts]
    for amount, moment in zip(amounts, moments):
        assert CAL.working_time(at(start), moment) == max(amount, timedelta(0))
        # The moment is the earliest with that much working time: opening time, or the
        # start itself.
        assert moment == at(start) or CAL.working_time(
            at(start), moment - timedelta(microseconds=1)) < amount


# -- Property: one walk for several amounts against the walk as it was ----------------
#
# The reference oracle is add_working_time as it stood before add_working_times
# (4333025^): one walk over the opening periods per amount. add_working_times walks
# once for all amounts, shortest first; every moment must be the oracle's, in any zone,
# across summer-time changes, weekends, holidays, midnight and closing time, and for
# amounts of months and years.

_ZONES = [ZoneInfo(name) for name in ("Europe/Amsterdam", "America/New_York",
                                      "Australia/Lord_Howe", "UTC", "Pacific/Kiritimati")]
_ALL_DAY = ((time(0), time(23, 59, 59, 999999)),)
_HOURS = [
    NINE_TO_FIVE,
    # Split days and a short Saturday.
    {**{day: ((time(8), time(12)), (time(13), time(17, 30))) for day in range(5)},
     5: ((time(10), time(14)),)},
    # Open through the night hours that summer time skips or repeats, on every day.
    {day: ((time(1), time(4)), (time(22), time(23, 59, 59, 999999))) for day in range(7)},
    {day: _ALL_DAY for day in range(7)},
    {2: ((time(0), time(0, 0, 1)),)},  # one second a week
    {},  # never open
]
# Dates near what the walk reasons about: summer time starting and ending (EU, US,
# Lord Howe's half hour), a year's and a month's end, a leap day, King's Day.
_NEAR = [date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1),
         date(2026, 4, 5), date(2026, 10, 4), date(2026, 12, 31), date(2027, 2, 28),
         date(2028, 2, 29), date(2026, 4, 27), date(2026, 1, 31)]
_CLOCK = [time(0), time(1, 30), time(2, 30), time(2, 30, fold=1), time(3), time(8, 59, 59, 999999),
          time(9), time(12), time(16, 59, 59, 999999), time(17), time(23, 59, 59, 999999)]


@st.composite
def _calendars(draw):
    zone = draw(st.sampled_from(_ZONES))
    hours = draw(st.sampled_from(_HOURS))
    holidays = draw(st.frozensets(st.one_of(
        st.sampled_from(_NEAR), st.dates(date(2025, 12, 1), date(2029, 1, 31))), max_size=12))
    return BusinessCalendar(zone, hours, holidays)


@st.composite
def _starts(draw, zone):
    if draw(st.booleans()):
        day = draw(st.sampled_from(_NEAR)) + timedelta(days=draw(st.integers(-3, 3)))
        local_time = draw(st.sampled_from(_CLOCK))
        return datetime.combine(day, local_time, tzinfo=draw(st.sampled_from([zone, AMS])))
    return draw(st.datetimes(datetime(2025, 12, 1), datetime(2028, 12, 31),
                             timezones=st.sampled_from([zone, timezone.utc])))


_amounts = st.lists(st.one_of(
    st.sampled_from([timedelta(0), timedelta(hours=-1), timedelta(microseconds=1),
                     timedelta(hours=1), timedelta(hours=8), timedelta(hours=40),
                     timedelta(hours=3), timedelta(hours=7, minutes=30),
                     timedelta(hours=4, microseconds=1), timedelta(days=30)]),
    st.timedeltas(timedelta(hours=-2), timedelta(hours=2_500))), max_size=5)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.data())
def test_several_amounts_in_one_walk_are_each_the_former_walk_s_moment(data):
    calendar = data.draw(_calendars())
    start = data.draw(_starts(calendar.zone))
    amounts = data.draw(_amounts)
    try:
        expected = [oracles.add_working_time(calendar, start, a) for a in amounts]
    except ValueError:
        with pytest.raises(ValueError, match="no working time"):
            calendar.add_working_times(start, amounts)
        return
    assert calendar.add_working_times(start, amounts) == expected
    assert all(m.tzinfo == timezone.utc for m in calendar.add_working_times(start, amounts))
    assert [calendar.add_working_time(start, a) for a in amounts] == expected


# The calendar keeps each day's opening periods and its working day (_memo). Asked in
# any order, again and again, across summer-time changes and holidays, what it keeps
# must be what working them out afresh gives (the reference below does it every time).

def _fresh_periods(calendar: BusinessCalendar, day: date):
    if not calendar.is_working_day(day):
        return ()
    return tuple((datetime.combine(day, opens, tzinfo=calendar.zone).astimezone(timezone.utc),
                  datetime.combine(day, closes, tzinfo=calendar.zone).astimezone(timezone.utc))
                 for opens, closes in calendar.hours[day.weekday()])


def _fresh_working_day(calendar: BusinessCalendar) -> timedelta:
    days = [sum((datetime.combine(date.min, c) - datetime.combine(date.min, o)
                 for o, c in periods), timedelta(0))
            for periods in calendar.hours.values() if periods]
    return sum(days, timedelta(0)) / len(days) if days else timedelta(0)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(_calendars(), st.lists(st.one_of(
    st.sampled_from(_NEAR).flatmap(lambda d: st.integers(-2, 2).map(
        lambda n: d + timedelta(days=n))),
    st.dates(date(2025, 12, 1), date(2029, 1, 31))), min_size=1, max_size=25))
def test_the_kept_days_are_what_working_them_out_afresh_gives(calendar, days):
    for day in days + days[::-1]:
        assert calendar._periods_of(day) == _fresh_periods(calendar, day)
        assert calendar.working_day() == _fresh_working_day(calendar)
