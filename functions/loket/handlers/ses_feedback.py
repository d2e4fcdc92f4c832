"""SES feedback on AWS: the configuration set publishes bounces and complaints to an SNS
topic, which calls this; each condemned address is suppressed in the store
(services/mail_feedback.py). Recording the same notification twice changes nothing, so
SNS's retries are safe."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)

_services = None


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from loket.services.mail_feedback import notifications_in, record_feedback

    services = _built()
    suppressed = [s.address for n in notifications_in(event)
                  for s in record_feedback(services, n)]
    return {"suppressed": suppressed}


def _built():
    """The services, built on the first event (not at import) and kept."""
    global _services
    if _services is None:
        from loket.settings import Settings
        from loket.wiring import build_services

        _services = build_services(Settings())
    return _services


def reset() -> None:
    global _services
    _services = None
