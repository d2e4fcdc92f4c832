"""What the scheduled and event-driven Lambda handlers share: their services, built on
the first event (not at import, so a cold start pays only for what it uses) and kept for
the next ones; the moment to stop before Lambda's timeout; and what a schedule's event
looks like. Imports nothing heavy: the handlers' cold-start tests count on it."""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from typing import Any, Iterator


class ServicesOnFirstEvent:
    """The services of one handler module. `load_holidays`: load (and check) the
    calendar's holidays with them, for handlers that need them anyway."""

    def __init__(self, *, load_holidays: bool = False):
        self._load_holidays = load_holidays
        self._services = None

    def get(self):
        if self._services is None:
            from loket.settings import Settings
            from loket.wiring import build_services

            self._services = build_services(Settings(), load_holidays=self._load_holidays)
        return self._services

    def reset(self) -> None:
        """Forget the services, so the next event builds them again (tests change settings)."""
        self._services = None


_cold_start_frozen = False


@contextmanager
def cold_start_without_gc() -> Iterator[None]:
    """Run a cold start (imports, services, the first event) without the cyclic garbage
    collector, then freeze what it built; once per process.

    Why: a cold start makes some hundred thousand objects that live as long as the
    container (modules, classes, the configuration, botocore's service models), and each
    full collection on the way walks all of them again: two of them, some 40 ms each on
    a quiet machine, fell while botocore read DynamoDB's model on the first submission
    (bench/cold_start.py). Reference counting still frees all that is not in a cycle; a
    cycle left on this one pass stays, a bounded one-off. gc.freeze() then takes the
    survivors out of the collector's sight, so later collections walk only what requests
    make (the disable, freeze, enable of the gc module's documentation)."""
    global _cold_start_frozen
    if _cold_start_frozen or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _cold_start_frozen = True
        gc.freeze()
        gc.enable()


def deadline(context: Any, safety_margin_s: float) -> float | None:
    """The time.monotonic() moment to stop taking up work, `safety_margin_s` before
    Lambda's timeout; None without a Lambda context (no limit)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return time.monotonic() + remaining() / 1000 - safety_margin_s if remaining else None


def is_schedule(event: Any) -> bool:
    """An EventBridge schedule's own event: anyone may put events with this detail-type,
    so the source must be aws.events too."""
    return (isinstance(event, dict) and event.get("source") == "aws.events"
            and event.get("detail-type") == "Scheduled Event")
