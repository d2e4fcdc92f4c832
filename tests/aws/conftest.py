"""The AWS side under moto: a DynamoDB table, a verified SES sender, and settings
that point the Lambda handlers at them, exactly as serverless.yml would."""

from __future__ import annotations

import copy
import json
from collections import Counter

import boto3
import botocore.client
import pytest

from tests.paths import CORPUS, SITE_CONFIG
from tests.stores import AWS_REGION, store_sandbox

TABLE = "loket-handlers-test"
MAIL_FROM = "support@nordwind.example"
EVENTS = CORPUS / "lambda-events"


def corpus_event(name: str) -> dict:
    folder = "aws-lambda-go" if name.startswith("cloudwatch") else "powertools-lambda-python"
    return json.loads((EVENTS / folder / name).read_text())


@pytest.fixture
def aws(monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        from loket.storage.dynamodb import create_table

        create_table(boto3.client("dynamodb", region_name=AWS_REGION), TABLE)
        ses = boto3.client("ses", region_name=AWS_REGION)
        ses.verify_email_identity(EmailAddress=MAIL_FROM)
        for name, value in {"LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": TABLE,
                            "LOKET_MAIL": "ses", "LOKET_MAIL_FROM": f"Nordwind Support <{MAIL_FROM}>",
                            "LOKET_AWS_REGION": AWS_REGION, "LOKET_CONFIG_DIR": str(SITE_CONFIG),
                            "LOKET_BASE_URL": "https://support.nordwind.example",
                            "LOKET_SITE_DIR": "/nonexistent/site",
                            "LOKET_SECRET_KEY": "test-secret"}.items():
            monkeypatch.setenv(name, value)
        yield


@pytest.fixture
def sent_mail():
    """The raw e-mails moto's SES has accepted, as bytes, after the mail dispatcher's
    Lambda handler has sent what the functions queued (as its schedule does on AWS)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from loket.handlers import mail_dispatch

    def read() -> list[bytes]:
        mail_dispatch.reset()
        mail_dispatch.handle({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
        backend = ses_backends[DEFAULT_ACCOUNT_ID][AWS_REGION]
        return [m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data
                for m in backend.sent_messages]
    return read


@pytest.fixture
def dynamodb_calls(monkeypatch):
    """Counts DynamoDB API calls by operation, whichever client makes them."""
    calls: Counter[str] = Counter()
    real = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


def http_event(method: str, path: str, *, query: str = "", body: str | None = None,
               headers: dict | None = None, base64: bool = False) -> dict:
    """An API Gateway HTTP API (payload v2) event, built on AWS's own sample."""
    event = copy.deepcopy(corpus_event("apiGatewayProxyV2Event.json"))
    event.update(rawPath=path, rawQueryString=query, body=body, isBase64Encoded=base64,
                 headers={"host": "support.nordwind.example", **(headers or {})})
    event.pop("cookies", None)
    event["queryStringParameters"] = {}
    event["requestContext"]["http"].update(method=method, path=path, sourceIp="203.0.113.9")
    return event
