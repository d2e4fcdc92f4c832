"""Submission limits per client address, in fixed windows counted by the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from loket.domain.errors import RateLimited
from loket.domain.frozen import make
from loket.domain.limits import HitLimit, OverLimit
from loket.services.context import Services

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)


def submission_limits(services: Services, client_address: str,
                      now: datetime) -> list[HitLimit]:
    """This submission's hits on the address's limits, per hour and per day, in the
    windows that hold `now`, for the store to count in the ticket's own write
    (create_ticket(hits=...)): one transaction instead of three, and a request that is
    refused, or that replays one counted already (same Idempotency-Key), counts nothing."""
    limits = services.config.submissions
    hits = []
    for limit, window_name, seconds in ((limits.per_hour, "hour", 3600),
                                        (limits.per_day, "day", 86400)):
        start, end = _bounds(now, seconds)
        # make(HitLimit, ...) is HitLimit(...) at a fraction of the cost (domain/frozen.py).
        hits.append(make(HitLimit, dict(
            key=f"submit:{client_address}:{window_name}", window_start=start,
            expires_at=end, limit=limit, window=window_name,
            retry_after=_retry_after(now, end))))
    return hits


def refusal(over: OverLimit) -> RateLimited:
    """What the client is told when the store refused a write over `over.limit`."""
    hit = over.limit
    return RateLimited(limit=hit.limit, window=hit.window, retry_after=hit.retry_after)


def check_rate(services: Services, key: str, limit: int, window: str, seconds: int) -> None:
    """Count one hit on `key` in the current window of `seconds`; raise RateLimited
    when that makes more than `limit`."""
    count, retry_after = count_in_window(services, key, seconds)
    if count > limit:
        raise RateLimited(limit=limit, window=window, retry_after=retry_after)


def count_in_window(services: Services, key: str, seconds: int,
                    amount: int = 1) -> tuple[int, int]:
    """Add `amount` (one hit) to `key` in the current fixed window of `seconds`: the
    count so far, this amount included, and the seconds until the window ends (at
    least 1)."""
    window = current_window(services, seconds)
    return window.add(services, key, amount), window.retry_after


@dataclass(frozen=True, eq=False)
class Window:
    """One fixed window of a limit, taken once per request, so a hit taken back later
    in the request is taken back from the window it was counted in."""

    start: datetime
    end: datetime
    retry_after: int  # seconds until the window ends, at least 1

    def add(self, services: Services, key: str, amount: int = 1) -> int:
        return services.store.count_hit(key, self.start, self.end, amount)


def current_window(services: Services, seconds: int) -> Window:
    return window_at(services.clock.now(), seconds)


def window_at(now: datetime, seconds: int) -> Window:
    """The fixed window of `seconds` that holds `now`."""
    start, end = _bounds(now, seconds)
    return Window(start, end, _retry_after(now, end))


# The latest window found per length: every request of an hour falls in the same one,
# so its start and end are worked out once an hour, not per request. A window is a
# fact of the calendar, never stale: one that does not hold `now` is replaced.
_LATEST: dict[int, tuple[datetime, datetime]] = {}


def _bounds(now: datetime, seconds: int) -> tuple[datetime, datetime]:
    """The start and end of the fixed window of `seconds` that holds `now`."""
    found = _LATEST.get(seconds)
    if found is None or not found[0] <= now < found[1]:
        start = _window_start(now, seconds)
        found = _LATEST[seconds] = (start, start + timedelta(seconds=seconds))
    return found


def _retry_after(now: datetime, end: datetime) -> int:
    return max(1, int((end - now).total_seconds()))


def _window_start(now: datetime, seconds: int) -> datetime:
    # Whole seconds since the epoch rounded down, exactly: int() of total_seconds()
    # rounded a moment before 1970 up, to a window that did not hold it (and that the
    # kept window of _bounds then disagreed with).
    elapsed = (now - _EPOCH) // _SECOND
    return _EPOCH + timedelta(seconds=elapsed - elapsed % seconds)
