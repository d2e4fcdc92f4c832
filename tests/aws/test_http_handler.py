"""The HTTP Lambda handler end to end: API Gateway event -> Flask -> DynamoDB and SES."""

from __future__ import annotations

import base64
import email
import json
from email.policy import default as default_policy
from urllib.parse import urlencode

import boto3
import pytest

from loket.handlers import http
from tests.aws.conftest import TABLE, http_event
from tests.stores import AWS_REGION

TICKET = {"email": "ann@example.com", "product": "planner", "type": "incident",
          "subject": "Planner is down for all users", "description": "Since 08:10 we get a 502."}


@pytest.fixture(autouse=True)
def fresh_handler():
    http.reset()
    yield
    http.reset()


def invoke(event: dict) -> dict:
    return http.handle(event, None)


def header(response: dict, name: str) -> str:
    return {k.lower(): v for k, v in response["headers"].items()}[name.lower()]


def submit(headers=None) -> dict:
    return invoke(http_event("POST", "/api/tickets", body=json.dumps(TICKET),
                             headers={"content-type": "application/json", **(headers or {})}))


def test_ticket_submitted_through_the_handler_is_stored_found_and_receipted(aws, sent_mail):
    response = submit()
    assert response["statusCode"] == 201
    receipt = json.loads(response["body"])
    item = boto3.client("dynamodb", region_name=AWS_REGION).get_item(
        TableName=TABLE, Key={"pk": {"S": f"TICKET#{receipt['number']}"}, "sk": {"S": "TICKET"}})
    assert item["Item"]["subject"]["S"] == TICKET["subject"]

    looked_up = invoke(http_event("GET", f"/api/tickets/{receipt['number']}",
                                  query=urlencode({"token": receipt["token"]})))
    assert looked_up["statusCode"] == 200
    ticket = json.loads(looked_up["body"])
    assert ticket["status"]["label"] == "Open" and ticket["subject"] == TICKET["subject"]

    dispatch()  # queued with the ticket; the dispatcher function sends it
    [raw] = sent_mail()
    mail = email.message_from_bytes(raw, policy=default_policy)
    assert f"[#{receipt['number']}]" in mail["Subject"] and mail["To"] == TICKET["email"]
    assert "https://support.nordwind.example/portal/tickets/" in mail.get_body(("plain",)).get_content()


def test_wrong_token_through_the_handler_is_a_plain_404(aws):
    number = json.loads(submit()["body"])["number"]
    wrong = invoke(http_event("GET", f"/api/tickets/{number}", query="token=guess"))
    missing = invoke(http_event("GET", "/api/tickets/99999", query="token=guess"))
    assert wrong["statusCode"] == missing["statusCode"] == 404
    assert wrong["body"] == missing["body"]


def dispatch() -> None:
    """Run the mail dispatcher function as its schedule does."""
    from loket.handlers import mail_dispatch

    mail_dispatch.reset()
    mail_dispatch.handle({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    mail_dispatch.reset()


def test_idempotent_retry_through_the_handler(aws, sent_mail):
    first, again = submit({"idempotency-key": "lambda-1"}), submit({"idempotency-key": "lambda-1"})
    assert (first["statusCode"], again["statusCode"]) == (201, 200)
    assert json.loads(first["body"]) == json.loads(again["body"])
    dispatch()
    assert len(sent_mail()) == 1


def test_bad_input_through_the_handler_is_a_problem_and_stores_nothing(aws, dynamodb_calls):
    response = invoke(http_event("POST", "/api/tickets", body=json.dumps({"email": "x"}),
                                 headers={"content-type": "application/json"}))
    assert response["statusCode"] == 422
    assert header(response, "Content-Type") == "application/problem+json"
    assert {"email", "product"} <= {e["field"] for e in json.loads(response["body"])["errors"]}
    writes = {"PutItem", "UpdateItem", "TransactWriteItems"} & set(dynamodb_calls)
    assert not writes


def test_html_form_post_with_a_base64_body(aws):
    body = base64.b64encode(urlencode({**TICKET, "language": "nl"}).encode()).decode()
    response = invoke(http_event("POST", "/portal/tickets", body=body, base64=True,
                                 headers={"content-type": "application/x-www-form-urlencoded"}))
    assert response["statusCode"] == 201
    assert header(response, "Content-Type").startswith("text/html")
    assert "Melding ontvangen" in response["body"]


def test_the_handler_does_not_serve_the_site(aws):
    assert invoke(http_event("GET", "/support/submit/"))["statusCode"] == 404


def test_requests_per_operation(aws, dynamodb_calls, capsys):
    """DynamoDB requests per HTTP operation, as written in storage/dynamodb.md."""
    counts = {}
    submit()  # warm up: the first request builds the app
    dynamodb_calls.clear()
    receipt = json.loads(submit()["body"])
    counts["submit"] = sum(dynamodb_calls.values())
    dynamodb_calls.clear()
    invoke(http_event("GET", f"/api/tickets/{receipt['number']}",
                      query=urlencode({"token": receipt["token"]})))
    counts["look-up"] = sum(dynamodb_calls.values())
    dynamodb_calls.clear()
    invoke(http_event("POST", f"/api/tickets/{receipt['number']}/messages",
                      query=urlencode({"token": receipt["token"]}),
                      body=json.dumps({"body": "More detail"}),
                      headers={"content-type": "application/json"}))
    counts["reply"] = sum(dynamodb_calls.values())
    with capsys.disabled():
        print(f"\nDynamoDB requests per operation: {counts}")
    # submit: counter + transaction (the rate-limit counters are in it, #13; the board
    # agents' notices are one record in it, expanded by the dispatcher, #12); look-up:
    # ticket + messages; reply: ticket + transaction + messages.
    assert counts == {"submit": 2, "look-up": 2, "reply": 3}
