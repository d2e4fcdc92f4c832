"""The AWS mail-in handler end to end under moto: SES stored a raw mail in S3, S3 calls
the handler with an ObjectCreated event, and the ticket lands in DynamoDB with its
receipt sent through SES."""

from __future__ import annotations

import copy
import json
import logging
from urllib.parse import quote_plus

import boto3
import pytest

from loket.handlers import mail_dispatch, mail_in
from loket.storage.dynamodb import DynamoDBStore, create_table
from tests.mail.conftest import corpus_mail
from tests.paths import CORPUS, SITE_CONFIG
from tests.stores import AWS_REGION, DYNAMODB_TABLE, store_sandbox

BUCKET = "loket-test-inbound-mail"
S3_EVENT = json.loads((CORPUS / "lambda-events" / "powertools-lambda-python" /
                       "s3Event.json").read_text())


def s3_event(*keys: str) -> dict:
    """The recorded S3 event with one record per key, in our bucket; S3 URL-encodes keys."""
    [record] = S3_EVENT["Records"]
    records = []
    for key in keys:
        record = copy.deepcopy(record)
        record["s3"]["bucket"]["name"] = BUCKET
        record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{BUCKET}"
        record["s3"]["object"]["key"] = quote_plus(key)
        records.append(record)
    return {"Records": records}


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """moto's AWS with the table, a verified mail domain and the inbound bucket, and the
    LOKET_* settings a deployed function has."""
    with store_sandbox("dynamodb", monkeypatch):
        for name, value in {"LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": DYNAMODB_TABLE,
                            "LOKET_MAIL": "ses", "LOKET_CONFIG_DIR": str(SITE_CONFIG),
                            "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
            monkeypatch.setenv(name, value)
        create_table(boto3.client("dynamodb", region_name=AWS_REGION), DYNAMODB_TABLE)
        boto3.client("ses", region_name=AWS_REGION).verify_domain_identity(
            Domain="nordwind.example")
        s3 = boto3.client("s3", region_name=AWS_REGION)
        s3.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
        mail_in.reset()
        mail_dispatch.reset()
        try:
            yield s3
        finally:
            mail_in.reset()
            mail_dispatch.reset()


def sent_through_ses() -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID][AWS_REGION].sent_messages


def test_stored_mail_becomes_a_ticket_with_a_receipt(aws, caplog):
    key = "inbound/mail 8bit+first.eml"  # A space and a plus: S3 encodes both.
    aws.put_object(Bucket=BUCKET, Key=key, Body=corpus_mail("loket/plain-8bit-utf8.eml"))
    with caplog.at_level(logging.INFO, logger="loket.handlers.mail_in"):
        result = mail_in.handle(s3_event(key), None)
    assert result == {"decisions": [{"key": key, "action": "new-ticket", "ticket": 10001,
                                     "reason": ""}]}
    ticket = DynamoDBStore(DYNAMODB_TABLE, region=AWS_REGION).get_ticket(10001)
    assert (ticket.email, ticket.subject, ticket.product) == (
        "info@example.com", "Planner: Ausfuhr nach Excel bricht ab", "planner")
    # Queued with the ticket; the dispatcher function sends it (a schedule event here).
    assert sent_through_ses() == []
    mail_dispatch.handle({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    [receipt] = sent_through_ses()
    assert receipt.destinations == ["info@example.com"]
    assert "<ticket-10001@nordwind.example>" in receipt.raw_data
    assert f"s3://{BUCKET}/{key}: new-ticket #10001" in caplog.text


def test_redelivered_and_refused_mail_make_nothing_new(aws):
    aws.put_object(Bucket=BUCKET, Key="inbound/a", Body=corpus_mail("loket/plain-8bit-utf8.eml"))
    aws.put_object(Bucket=BUCKET, Key="inbound/bounce",
                   Body=corpus_mail("sisimai/bsd/lhost-amazonses-01.eml"))
    mail_in.handle(s3_event("inbound/a"), None)
    result = mail_in.handle(s3_event("inbound/a", "inbound/bounce"), None)
    assert [d["action"] for d in result["decisions"]] == ["new-ticket", "refused"]
    store = DynamoDBStore(DYNAMODB_TABLE, region=AWS_REGION)
    assert store.get_ticket(10001) is not None and store.get_ticket(10002) is None
    mail_dispatch.handle({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    assert len(sent_through_ses()) == 1


def test_a_failing_record_is_logged_and_raised_after_the_others(aws, caplog):
    aws.put_object(Bucket=BUCKET, Key="inbound/good", Body=corpus_mail("loket/plain-8bit-utf8.eml"))
    with pytest.raises(Exception, match="NoSuchKey"):
        mail_in.handle(s3_event("inbound/missing", "inbound/good"), None)
    assert "inbound/missing was not taken in" in caplog.text
    # The good mail was taken in anyway; Lambda's retry will find it done.
    assert DynamoDBStore(DYNAMODB_TABLE, region=AWS_REGION).get_ticket(10001) is not None
    assert mail_in.handle(s3_event("inbound/good"), None)["decisions"][0]["reason"].startswith(
        "already taken in")
