"""services/ratelimit.py: the kept latest window never answers for a moment outside it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from loket.services.ratelimit import window_at

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


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
