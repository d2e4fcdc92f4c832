"""SES feedback: bounces and complaints reported by SES (through SNS) suppress the
address, so no more mail goes to it (the dispatcher keeps such mail as suppressed).

Only a permanent bounce suppresses: a transient one (a full mailbox) or an undetermined
one says nothing for sure about the address. Every complaint suppresses: its owner asked
for no more mail. Both notification shapes are read: an identity's feedback
(`notificationType`) and a configuration set's event publishing (`eventType`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from loket.domain.outgoing import Suppression
from loket.services.context import Services

log = logging.getLogger(__name__)


def record_feedback(services: Services, notification: dict[str, Any]) -> list[Suppression]:
    """Suppress the addresses one SES notification condemns; return the suppressions."""
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce":
        found = _bounced(notification.get("bounce") or {})
    elif kind == "Complaint":
        found = _complained(notification.get("complaint") or {})
    else:
        return []  # Deliveries, sends, opens: nothing to act on.
    now = services.clock.now()
    suppressions = [Suppression(address=address, reason=reason, detail=detail[:500],
                                created_at=now) for address, reason, detail in found]
    for suppression in suppressions:
        services.store.suppress_address(suppression)
        log.info("suppressed %s after a %s: %s", suppression.address, suppression.reason,
                 suppression.detail)
    return suppressions


def _bounced(bounce: dict[str, Any]) -> list[tuple[str, str, str]]:
    if bounce.get("bounceType") != "Permanent":
        log.info("a %s bounce (%s) suppresses nobody", bounce.get("bounceType"),
                 bounce.get("bounceSubType"))
        return []
    return [(r["emailAddress"], "bounce",
             r.get("diagnosticCode") or r.get("status") or bounce.get("bounceSubType", ""))
            for r in bounce.get("bouncedRecipients", []) if r.get("emailAddress")]


def _complained(complaint: dict[str, Any]) -> list[tuple[str, str, str]]:
    detail = complaint.get("complaintFeedbackType") or "complaint"
    return [(r["emailAddress"], "complaint", detail)
            for r in complaint.get("complainedRecipients", []) if r.get("emailAddress")]


def notifications_in(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The SES notifications in an SNS event for Lambda (each record's Message is JSON)."""
    found = []
    for record in event.get("Records", []):
        message = (record.get("Sns") or {}).get("Message")
        try:
            parsed = json.loads(message) if isinstance(message, str) else None
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            found.append(parsed)
        else:
            log.warning("an SNS record without an SES notification: %r", message)
    return found
