"""The timer sweep on AWS: EventBridge's schedule (serverless.yml: rate(5 minutes))
calls this, and it fires every due timer and SLA deadline once.

Only a "Scheduled Event" from aws.events sweeps; any other event is refused with a log
line, so a misrouted rule never sends reminders. Two invocations at once are safe:
each change is saved under the version check and mailed only by the one that saved it.
"""

from __future__ import annotations

import logging
from typing import Any

from loket.handlers.runtime import ServicesOnFirstEvent, deadline, is_schedule

log = logging.getLogger(__name__)
# Lambda's root logger passes WARNING and up; every sweep belongs in the log.
log.setLevel(logging.INFO)

# The sweeper needs the calendar's holidays anyway: they are loaded and checked with them.
_services = ServicesOnFirstEvent(load_holidays=True)
# Stop taking up tickets this long before Lambda's timeout, so the one in hand is saved
# and mailed; what is left is due at the next schedule, five minutes on.
SAFETY_MARGIN_S = 10.0


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if not is_schedule(event):
        log.warning("not a scheduled event (source %r, detail-type %r): nothing swept",
                    event.get("source"), event.get("detail-type"))
        return {"swept": False, "reason": "not a scheduled event"}
    from loket.services.sweeper import sweep

    report = sweep(_services.get(), deadline=deadline(context, SAFETY_MARGIN_S))
    log.info("sweep for the schedule of %s: %s", event.get("time"), report.summary())
    for action in report.actions:
        log.info("%s", action)
    return {"swept": True, "now": report.now.isoformat(), "due": report.due,
            "changed": report.changed, "emails": report.emails,
            "conflicts": report.conflicts, "removed": report.removed,
            "erase_chunks": report.erase_chunks, "more": report.more}


def reset() -> None:
    """Forget the services, so the next event builds them again (tests change settings)."""
    _services.reset()
