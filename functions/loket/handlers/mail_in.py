"""Mail in on AWS: SES stores each raw e-mail in S3, and S3 calls this for each object.

Or SES's S3 action publishes its notification to an SNS topic that calls this: then the
receipt says where the object is and brings SES's verdicts (spam, virus, DMARC), which
count over the headers in the mail (mail/verdicts.py).

Each object is read and handed to take_in_mail. When one fails, the others are still
taken in and the error is raised afterwards, so Lambda retries the event; that is
safe because taking in the same mail twice changes nothing.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote_plus

log = logging.getLogger(__name__)
# Lambda's root logger passes WARNING and up; every decision belongs in the log.
log.setLevel(logging.INFO)

_services = None
_s3 = None


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from loket.services.mail_in import take_in_mail

    services, s3 = _clients()
    decisions, failure = [], None
    for record in event.get("Records", []):
        bucket = key = "?"
        try:
            bucket, key, verdicts = _location(record)
            raw = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            decision = take_in_mail(services, raw, verdicts=verdicts)
        except Exception as exc:
            log.exception("mail s3://%s/%s was not taken in; the event will be retried",
                          bucket, key)
            failure = failure or exc
            continue
        log.info("mail s3://%s/%s: %s", bucket, key, decision)
        decisions.append({"key": key, "action": decision.action,
                          "ticket": decision.ticket, "reason": decision.reason})
    if failure is not None:
        raise failure
    return {"decisions": decisions}


def _location(record: dict[str, Any]):
    """Where the mail is, and the verdicts of SES's receipt when the record brings one."""
    if "Sns" in record:
        return _received(json.loads(record["Sns"]["Message"]))
    s3 = record["s3"]
    # S3 event keys are URL-encoded, with "+" for a space.
    return s3["bucket"]["name"], unquote_plus(s3["object"]["key"]), None


def _received(notification: dict[str, Any]):
    """An SES "Received" notification of an S3 action: the object's place (not encoded)
    and the receipt's verdicts."""
    from loket.mail.verdicts import verdicts_in_receipt

    receipt = notification.get("receipt") or {}
    action = receipt.get("action") or {}
    if notification.get("notificationType") != "Received" or action.get("type") != "S3":
        raise ValueError("an SNS message that is no SES notification of an S3 action: "
                         f"{notification.get('notificationType')!r}, {action.get('type')!r}")
    return action["bucketName"], action["objectKey"], verdicts_in_receipt(receipt)


def _clients():
    """The services and the S3 client, built on the first event (not at import: a cold
    start pays only for what it uses) and kept for the next ones."""
    global _services, _s3
    if _services is None:
        from loket.aws import LazyClient
        from loket.settings import Settings
        from loket.wiring import build_services

        settings = Settings()
        _services = build_services(settings)
        # A session of its own, as every loket.aws client (the default one is shared
        # and keeps whatever credentials it saw first), from the zip's trimmed data.
        _s3 = LazyClient("s3", region=settings.aws_region,
                         endpoint_url=settings.aws_endpoint_url).get()
    return _services, _s3


def reset() -> None:
    """Forget the services and client, so the next event builds them again (tests)."""
    global _services, _s3
    _services = _s3 = None
