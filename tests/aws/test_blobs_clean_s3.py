"""The clean-up of blobs no message names, on AWS: S3 listed a page at a time under
attachments/ and thumbnails/, the DynamoDB table read for the names (both moto)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from loket.blobs.s3 import S3Blobs
from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.mail.outbox import OutboxMailer
from loket.services.blob_cleanup import GRACE, remove_unnamed_blobs
from loket.services.context import Services
from loket.services.mail_in import take_in_mail
from tests.paths import FIXTURES, SITE_CONFIG
from tests.stores import AWS_REGION, make_store, store_sandbox

BUCKET = "loket-blobs-clean-test"
MAIL = FIXTURES / "mail/mikel-mail/attachment_emails/attachment_message_rfc822_inline_image.eml"
ORPHANS = [f"attachments/orphan-{i:04d}-aaaaaaaaaaaa" for i in range(5)] + [
    "thumbnails/orphan-0000-aaaaaaaaaaaa.png"]


@pytest.fixture
def services(tmp_path, monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        boto3.client("s3", region_name=AWS_REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
        blobs = S3Blobs(BUCKET, region=AWS_REGION)
        blobs.list_page = 2  # so a handful of files takes several pages
        yield Services(config=load_portal_config(SITE_CONFIG),
                       store=make_store("dynamodb", tmp_path),
                       mail=OutboxMailer(tmp_path / "outbox"),
                       clock=FixedClock(datetime.now(timezone.utc)),
                       base_url="https://support.nordwind.example",
                       mail_from="Support <support@nordwind.example>", blobs=blobs)


def keys(services) -> set[str]:
    s3 = boto3.client("s3", region_name=AWS_REGION)
    return {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
            for o in page.get("Contents", ())}


def list_requests(monkeypatch) -> list[str]:
    """ListObjectsV2 calls of the blob store's own client."""
    calls: list[str] = []
    boto3.client("s3", region_name=AWS_REGION)  # moto is up: count what follows
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def counted(self, operation, params):
        if operation == "ListObjectsV2":
            calls.append(params.get("Prefix", ""))
        return original(self, operation, params)
    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    return calls


def test_unnamed_files_in_the_bucket_go_and_the_tickets_files_stay(services, monkeypatch):
    decision = take_in_mail(services, MAIL.read_bytes())
    [message] = services.store.list_messages(decision.ticket)
    named = {key for a in message.attachments for key in (a.key, a.thumbnail_key) if key}
    assert named and keys(services) == named
    for key in ORPHANS:
        services.blobs.put(key, io.BytesIO(b"left behind"), content_type="text/plain")
    services.blobs.put("uploads/still-waiting-0000", io.BytesIO(b"x"), content_type="text/plain")
    newest = max(b.modified for p in ("attachments/", "thumbnails/")
                 for b in services.blobs.list_blobs(p))
    calls = list_requests(monkeypatch)

    young = remove_unnamed_blobs(services, newest + GRACE - timedelta(seconds=1))
    assert young.checked < len(named) + len(ORPHANS) and not set(young.unnamed) & named

    dry = remove_unnamed_blobs(services, newest + GRACE + timedelta(seconds=1), dry_run=True)
    assert sorted(dry.unnamed) == sorted(ORPHANS)
    assert keys(services) == named | set(ORPHANS) | {"uploads/still-waiting-0000"}

    calls.clear()
    done = remove_unnamed_blobs(services, newest + GRACE + timedelta(seconds=1))
    assert sorted(done.unnamed) == sorted(ORPHANS)
    assert keys(services) == named | {"uploads/still-waiting-0000"}
    # Pages of two keys: attachments/ holds 5 orphans and the ticket's files.
    assert calls.count("attachments/") >= 3 and "uploads/" not in calls
    for attachment in message.attachments:
        assert services.blobs.read(attachment.key)
