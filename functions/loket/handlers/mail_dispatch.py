"""The mail dispatcher on AWS: sends the mail the store has queued.

A schedule calls it (serverless.yml: every minute): it sends what is due, retries
included. It also takes a batch of the table's stream records of queued mail, should the
stream be wired to it for faster receipts. Either way it claims what is due from the
store's index, so an event is only a signal: any number of invocations at once send
each mail once per lease (services/mail_dispatch.py).
"""

from __future__ import annotations

import logging
from typing import Any

from loket.handlers.runtime import ServicesOnFirstEvent, deadline, is_schedule

log = logging.getLogger(__name__)
# Lambda's root logger passes WARNING and up; every batch belongs in the log.
log.setLevel(logging.INFO)

_services = ServicesOnFirstEvent()
# Stop claiming mail this long before Lambda's timeout; the rest goes next time.
SAFETY_MARGIN_S = 10.0


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if not (is_schedule(event) or queued_mail(event)):
        log.warning("neither a schedule nor a stream record of queued mail: nothing sent")
        return {"sent": 0, "reason": "not a dispatch event"}
    from loket.services.mail_dispatch import send_queued

    report = send_queued(_services.get(), deadline=deadline(context, SAFETY_MARGIN_S))
    log.info("mail: %s", report.summary())
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed,
            "suppressed": report.suppressed, "more": report.more}


def queued_mail(event: Any) -> bool:
    """A DynamoDB stream batch with a mail item put in the queue (the event source's
    filter lets only those through; this checks again)."""
    records = event.get("Records", []) if isinstance(event, dict) else []
    return any(r.get("eventSource") == "aws:dynamodb"
               and r.get("dynamodb", {}).get("Keys", {}).get("pk", {}).get("S", "")
               .startswith("MAIL#") for r in records)


def reset() -> None:
    """Forget the services, so the next event builds them again (tests change settings)."""
    _services.reset()
