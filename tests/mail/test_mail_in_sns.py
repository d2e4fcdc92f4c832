"""Mail in through SES's S3 action with an SNS topic: the notification says where SES
stored the mail and carries the receipt's verdicts, which count over the mail's own
headers: a spam FAIL in the receipt refuses a mail whose headers say nothing."""

from __future__ import annotations

import json

import boto3
import pytest

from loket.domain.refused import RefusalKind
from loket.handlers import mail_in
from loket.storage.dynamodb import DynamoDBStore, create_table
from tests.mail.conftest import make_mail
from tests.paths import FIXTURES, SITE_CONFIG
from tests.stores import AWS_REGION, DYNAMODB_TABLE, store_sandbox

BUCKET = "loket-test-inbound-mail"
SES_EVENT = FIXTURES / "lambda-events" / "mail-in-verdicts" / "sesEvent.json"


def sns_event(key: str, **verdicts: str) -> dict:
    """The SNS event of SES's S3 action: the recorded SES event's mail and receipt, with
    the receipt's action the S3 action that stored `key`."""
    ses = json.loads(SES_EVENT.read_text())["Records"][0]["ses"]
    receipt = ses["receipt"]
    receipt["action"] = {"type": "S3", "topicArn": "arn:aws:sns:eu-west-1:123456789012:mail",
                         "bucketName": BUCKET, "objectKeyPrefix": "inbound/",
                         "objectKey": key}
    for name, status in verdicts.items():
        receipt[name] = {"status": status}
    notification = {"notificationType": "Received", "mail": ses["mail"], "receipt": receipt}
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                         "Sns": {"Type": "Notification", "Message": json.dumps(notification)}}]}


@pytest.fixture
def aws(monkeypatch, tmp_path):
    with store_sandbox("dynamodb", monkeypatch):
        for name, value in {"LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": DYNAMODB_TABLE,
                            "LOKET_CONFIG_DIR": str(SITE_CONFIG),
                            "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                            "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
            monkeypatch.setenv(name, value)
        create_table(boto3.client("dynamodb", region_name=AWS_REGION), DYNAMODB_TABLE)
        s3 = boto3.client("s3", region_name=AWS_REGION)
        s3.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
        mail_in.reset()
        try:
            yield s3
        finally:
            mail_in.reset()


def store() -> DynamoDBStore:
    return DynamoDBStore(DYNAMODB_TABLE, region=AWS_REGION)


def test_a_passing_receipt_takes_the_mail_in(aws):
    aws.put_object(Bucket=BUCKET, Key="inbound/o3vrnil0e2ic28tr", Body=make_mail())
    result = mail_in.handle(sns_event("inbound/o3vrnil0e2ic28tr"), None)
    assert [d["action"] for d in result["decisions"]] == ["new-ticket"]
    assert store().get_ticket(10001) is not None


def test_a_failing_spam_verdict_in_the_receipt_refuses_the_mail(aws):
    aws.put_object(Bucket=BUCKET, Key="inbound/spam", Body=make_mail(subject="Prize"))
    result = mail_in.handle(sns_event("inbound/spam", spamVerdict="FAIL"), None)
    [decision] = result["decisions"]
    assert decision["action"] == "refused" and "spam" in decision["reason"]
    assert store().get_ticket(10001) is None
    [kept] = store().list_refused()
    assert kept.kind is RefusalKind.SPAM


def test_a_message_that_is_no_ses_notification_fails_the_event_after_the_rest(aws):
    aws.put_object(Bucket=BUCKET, Key="inbound/fine", Body=make_mail())
    bogus = {"EventSource": "aws:sns", "Sns": {"Message": json.dumps({"hello": "world"})}}
    event = sns_event("inbound/fine")
    event["Records"].insert(0, bogus)
    with pytest.raises(ValueError, match="no SES notification"):
        mail_in.handle(event, None)
    assert store().get_ticket(10001) is not None  # The good record was taken in.
