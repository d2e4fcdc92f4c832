"""A limit counted in the same write as what it limits (storage adapters' create_ticket).

Counting a submission in its own write cost two transactions per ticket (an hour's and
a day's counter); counted inside the ticket's write it costs two statements of that
transaction, and a request that is refused, or that replays an earlier one, counts
nothing: the write that would count it is not made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HitLimit:
    """One hit to add to the counter `key` of the fixed window starting at
    `window_start`; the write is refused when that makes more than `limit`. `window`
    ("hour", "day") and `retry_after` (seconds until the window ends) are for the
    refusal the caller makes of it; stores read neither."""

    key: str
    window_start: datetime
    expires_at: datetime
    limit: int
    window: str = ""
    retry_after: int = 1


class OverLimit(Exception):
    """A store refused a write, writing nothing, because it would pass `limit`."""

    def __init__(self, limit: HitLimit):
        super().__init__(f"{limit.key}: more than {limit.limit} per {limit.window or 'window'}")
        self.limit = limit
