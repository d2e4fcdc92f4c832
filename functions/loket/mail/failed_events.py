"""Mail that the mailIn function could not take in on AWS, taken in again.

When mailIn fails on an S3 event three times (Lambda's two retries), Lambda puts an
invocation record on the function's on-failure queue (serverless.yml: MailInFailures):
{"requestContext": {"condition": "RetriesExhausted", ...}, "requestPayload": <the S3
event>, "responsePayload": {"errorMessage": ...}}. The raw mail is still in the inbound
bucket. `loket mail-retry` reads the queue, takes each mail in again and removes the
record only when all of its mail was taken in; what fails again stays for the next run
(and keeps the queue's alarm on). Taking in the same mail twice changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import unquote_plus


@dataclass
class Retried:
    location: str
    outcome: str  # the decision, or the error
    ok: bool


def mail_locations(record_body: str) -> list[tuple[str, str]]:
    """(bucket, key) of each mail in a failed invocation's S3 event."""
    record = json.loads(record_body)
    payload = record.get("requestPayload", record)
    found = []
    for event in payload.get("Records", []):
        s3 = event.get("s3") or {}
        bucket, key = s3.get("bucket", {}).get("name"), s3.get("object", {}).get("key")
        if bucket and key:
            found.append((bucket, unquote_plus(key)))
    return found


def retry_failed_mail(take_in: Callable[[bytes], Any], sqs, s3, queue_url: str, *,
                      dry_run: bool = False, limit: int = 1000) -> list[Retried]:
    """Take in the mail of every record on the queue (up to `limit` records)."""
    results: list[Retried] = []
    seen = 0
    while seen < limit:
        # A dry run leaves the records visible, for the real run right after it.
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=0,
                                       VisibilityTimeout=0 if dry_run else 120
                                       ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            seen += 1
            outcomes = [_one(take_in, s3, bucket, key, dry_run)
                        for bucket, key in mail_locations(message["Body"])]
            results.extend(outcomes)
            if not dry_run and all(r.ok for r in outcomes):
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if dry_run:
            break  # The same records would come back after their visibility timeout.
    return results


def _one(take_in, s3, bucket: str, key: str, dry_run: bool) -> Retried:
    location = f"s3://{bucket}/{key}"
    try:
        raw = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        if dry_run:
            return Retried(location, f"would be taken in ({len(raw)} bytes)", True)
        return Retried(location, str(take_in(raw)), True)
    except Exception as exc:  # Reported, and the record stays for the next run.
        return Retried(location, f"{type(exc).__name__}: {exc}", False)
