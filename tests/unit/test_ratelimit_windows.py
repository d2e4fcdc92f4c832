"""services/ratelimit.py: the kept latest window never answers for a moment outside it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from loket.services.ratelimit import submission_limits, window_at

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def expected(now: datetime, seconds: int) -> tuple[datetime, datetime, int]:
    elapsed = int(now.timestamp())
    start = datetime.fromtimestamp(elapsed - elapsed % seconds, timezone.utc)
    end = start + timedelta(seconds=seconds)
    return start, end, max(1, int((end - now).total_seconds()))


def test_the_window_follows_the_clock_forward_and_back():
    for now in (NOON - timedelta(microseconds=1), NOON, NOON + timedelta(minutes=59),
                NOON + timedelta(hours=1), NOON - timedelta(days=1), NOON):
        for seconds in (3600, 86400, 900):
            window = window_at(now, seconds)
            assert (window.start, window.end, window.retry_after) == expected(now, seconds)


def test_threads_in_different_hours_each_get_their_own():
    """Waitress's threads may hold moments on both sides of an hour's end."""
    moments = [NOON + timedelta(minutes=m, seconds=s) for m in (-1, 0, 59, 60, 61)
               for s in (0, 30)] * 40

    def found(now):
        window = window_at(now, 3600)
        return (window.start, window.end, window.retry_after) == expected(now, 3600)

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(found, moments))


# -- Property: the kept windows against the window worked out afresh -------------------
#
# A fixed clock moved step by step (within a window, across its edge by a microsecond,
# back again, by days and years, before 1970), with window lengths interleaved: every
# answer must be the window that holds the moment, as worked out from nothing, however
# the kept window of the step before was left.

def fresh(now: datetime, seconds: int) -> tuple[datetime, datetime, int]:
    """The fixed window of `seconds` that holds `now`, in whole microseconds (exact)."""
    step = timedelta(seconds=seconds)
    start = EPOCH + ((now - EPOCH) // step) * step
    end = start + step
    assert start <= now < end
    return start, end, max(1, int((end - now).total_seconds()))


_STEPS = st.one_of(
    st.sampled_from([timedelta(microseconds=1), timedelta(microseconds=-1), timedelta(0),
                     timedelta(seconds=1), timedelta(minutes=59, seconds=59),
                     timedelta(hours=1), timedelta(hours=-1), timedelta(days=1),
                     timedelta(days=-1), timedelta(days=365)]),
    st.timedeltas(timedelta(days=-3), timedelta(days=3)))
_LENGTHS = st.sampled_from([3600, 86400, 900, 60, 1])


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.one_of(
    st.datetimes(datetime(1969, 12, 30), datetime(2100, 1, 1),
                 timezones=st.sampled_from([timezone.utc, ZoneInfo("Europe/Amsterdam"),
                                            timezone(timedelta(hours=-9, minutes=-30))])),
    # Around the epoch, where a moment's seconds since it change sign.
    st.sampled_from([EPOCH - timedelta(seconds=3600.5), EPOCH - timedelta(microseconds=1),
                     EPOCH, EPOCH + timedelta(microseconds=1), NOON])),
       st.lists(st.tuples(_STEPS, _LENGTHS, st.booleans()), min_size=1, max_size=30))
def test_every_answer_is_the_window_that_holds_the_moment(start, steps):
    now = start
    for step, seconds, on_edge in steps:
        now += step
        if on_edge:  # Exactly on a window's edge, or the microsecond before it.
            now = fresh(now, seconds)[1] - (timedelta(microseconds=1) if step < timedelta(0)
                                            else timedelta(0))
        window = window_at(now, seconds)
        assert (window.start, window.end, window.retry_after) == fresh(now, seconds)
        # The submission's hits take the same windows (per hour, per day) from the clock.
        hour, day = submission_limits(LIMITS, "192.0.2.1", now)
        assert (hour.window_start, hour.expires_at, hour.retry_after) == fresh(now, 3600)
        assert (day.window_start, day.expires_at, day.retry_after) == fresh(now, 86400)
        assert (hour.key, hour.limit, day.key, day.limit) == (
            "submit:192.0.2.1:hour", 5, "submit:192.0.2.1:day", 20)


LIMITS = SimpleNamespace(config=SimpleNamespace(submissions=SimpleNamespace(per_hour=5,
                                                                            per_day=20)))
