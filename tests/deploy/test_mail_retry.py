"""`loket mail-retry`: the mail mailIn failed on (Lambda's on-failure record on the
stack's MailInFailures queue) is taken in again; a record leaves the queue only when
its mail is in, and what fails again stays for the next run."""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner

from loket.cli import main
from loket.mail.failed_events import mail_locations
from tests.deploy.cloudformation import REGION
from tests.deploy.user_paths import HTTP, inbound_bucket, inbound_mail, mail_in_event

pytestmark = pytest.mark.slow


def failed_invocation(event: dict) -> str:
    """What Lambda puts on the on-failure destination after the retries."""
    return json.dumps({
        "version": "1.0", "timestamp": "2026-12-01T09:00:00.000Z",
        "requestContext": {"requestId": "e0c6e5a5", "condition": "RetriesExhausted",
                           "approximateInvokeCount": 3,
                           "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:x"},
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "Throttling", "errorType": "ClientError"}})


@pytest.fixture
def queue(deployed):
    [(name, _)] = [(q, r) for q, r in deployed.stack.of_type("AWS::SQS::Queue").items()
                   if q == "MailInFailures"]
    sqs = boto3.client("sqs", region_name=REGION)
    return sqs, sqs.get_queue_url(QueueName=deployed.stack.name(name))["QueueUrl"]


def run(deployed, queue_url: str, *args: str):
    env = deployed.environment(deployed.function(HTTP))
    return CliRunner().invoke(main, ["mail-retry", "--queue-url", queue_url, *args], env=env)


def test_failed_mail_is_taken_in_again_and_leaves_the_queue(deployed, queue):
    sqs, url = queue
    bucket = inbound_bucket(deployed)
    boto3.client("s3", region_name=REGION).put_object(Bucket=bucket, Key="inbound/a b",
                                                      Body=inbound_mail())
    event = mail_in_event(bucket, "inbound/a+b")  # S3 event keys are URL-encoded.
    sqs.send_message(QueueUrl=url, MessageBody=failed_invocation(event))

    listed = run(deployed, url, "--dry-run")
    assert listed.exit_code == 0, listed.output
    assert f"s3://{bucket}/inbound/a b: would be taken in" in listed.output

    result = run(deployed, url)
    assert result.exit_code == 0, result.output
    assert "new-ticket" in result.output and "1 taken in, 0 failed again" in result.output
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_mail_that_fails_again_stays_on_the_queue(deployed, queue):
    sqs, url = queue
    event = mail_in_event(inbound_bucket(deployed), "inbound/gone")
    sqs.send_message(QueueUrl=url, MessageBody=failed_invocation(event))
    result = run(deployed, url)
    assert result.exit_code == 1
    assert "inbound/gone: NoSuchKey" in result.output or "NoSuchKey" in result.output
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesNotVisible"]) == 1


def test_the_record_names_its_mail():
    event = {"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": "inbound/x%2By+z"}}}]}
    assert mail_locations(failed_invocation(event)) == [("b", "inbound/x+y z")]
    assert mail_locations(json.dumps({"requestPayload": {"source": "aws.events"}})) == []
