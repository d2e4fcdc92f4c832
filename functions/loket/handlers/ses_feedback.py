"""SES feedback on AWS: the configuration set publishes bounces and complaints to an SNS
topic, which calls this; each condemned address is suppressed in the store
(services/mail_feedback.py). Recording the same notification twice changes nothing, so
SNS's retries are safe."""

from __future__ import annotations

import logging
from typing import Any

from loket.handlers.runtime import ServicesOnFirstEvent

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)

_services = ServicesOnFirstEvent()


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from loket.services.mail_feedback import notifications_in, record_feedback

    services = _services.get()
    suppressed = [s.address for n in notifications_in(event)
                  for s in record_feedback(services, n)]
    return {"suppressed": suppressed}


def reset() -> None:
    """Forget the services, so the next event builds them again (tests change settings)."""
    _services.reset()
