"""SES feedback, read from real SES notification samples (tests/fixtures/ses/, from the
SES Developer Guide): hard bounces and complaints suppress the address, and the
dispatcher then keeps mail to it as suppressed, visible, never sent."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest

from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.domain.outgoing import MailState
from loket.handlers import ses_feedback
from loket.mail.compose import letter
from loket.services.context import Services
from loket.services.mail_dispatch import send_queued
from loket.services.mail_feedback import record_feedback
from loket.storage.dynamodb import create_table
from tests.paths import SITE_CONFIG
from tests.stores import AWS_REGION, DYNAMODB_TABLE, store_sandbox
from tests.workflow.conftest import MailBag

SAMPLES = Path(__file__).parents[1] / "fixtures" / "ses"
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def services(store):
    return Services(config=load_portal_config(SITE_CONFIG), store=store, mail=MailBag(),
                    clock=FixedClock(NOW), base_url="http://portal.test",
                    mail_from="Nordwind Support <support@nordwind.example>")


@pytest.mark.parametrize("name, addresses, reason", [
    ("event-bounce-permanent.json", ["recipient@example.com"], "bounce"),
    ("notification-bounce-with-dsn.json", ["jane@example.com"], "bounce"),
    ("notification-bounce-without-dsn.json", ["jane@example.com", "richard@example.com"],
     "bounce"),
    ("event-complaint.json", ["recipient@example.com"], "complaint"),
    ("notification-complaint-with-feedback.json", ["richard@example.com"], "complaint"),
    ("notification-complaint-without-feedback.json", ["richard@example.com"], "complaint"),
])
def test_hard_bounces_and_complaints_suppress_their_addresses(services, name, addresses,
                                                              reason):
    recorded = record_feedback(services, sample(name))
    assert sorted(s.address for s in recorded) == addresses
    for address in addresses:
        found = services.store.get_suppression(address.upper())
        assert found.reason == reason and found.created_at == NOW


def test_the_bounce_detail_is_the_servers_diagnostic(services):
    [bounce] = record_feedback(services, sample("event-bounce-permanent.json"))
    assert bounce.detail == "smtp; 550 5.1.1 user unknown"


def test_a_transient_bounce_or_a_delivery_suppresses_nobody(services):
    transient = sample("event-bounce-permanent.json")
    transient["bounce"].update(bounceType="Transient", bounceSubType="MailboxFull")
    assert record_feedback(services, transient) == []
    assert record_feedback(services, sample("event-delivery.json")) == []
    assert services.store.get_suppression("recipient@example.com") is None


def test_mail_to_a_suppressed_address_is_kept_as_suppressed_and_not_sent(services):
    record_feedback(services, sample("event-complaint.json"))
    mail = letter("password-reset", lang="en", mail_from=services.mail_from,
                  to="recipient@example.com", created_at=NOW,
                  data={"vendor": "Nordwind", "link": "http://x", "name": "R",
                        "organization": None, "hours": 1, "minutes": 60,
                        "email": "recipient@example.com"})
    services.store.enqueue_mail([mail])
    assert send_queued(services).suppressed == 1
    assert services.mail.sent == []
    [kept] = services.store.list_mail(pending=False)
    assert kept.state is MailState.SUPPRESSED and "complaint" in kept.last_error


def test_the_lambda_function_reads_sns_records(monkeypatch, tmp_path):
    with store_sandbox("dynamodb", monkeypatch):
        for name, value in {"LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": DYNAMODB_TABLE,
                            "LOKET_AWS_REGION": AWS_REGION, "LOKET_MAIL": "ses",
                            "LOKET_CONFIG_DIR": str(SITE_CONFIG),
                            "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
            monkeypatch.setenv(name, value)
        create_table(boto3.client("dynamodb", region_name=AWS_REGION), DYNAMODB_TABLE)
        ses_feedback.reset()
        try:
            event = {"Records": [
                {"EventSource": "aws:sns", "Sns": {"Type": "Notification",
                                                   "Message": json.dumps(sample(name))}}
                for name in ("notification-bounce-with-dsn.json", "event-delivery.json")]
                + [{"EventSource": "aws:sns", "Sns": {"Message": "not json"}}]}
            assert ses_feedback.handle(event, None) == {"suppressed": ["jane@example.com"]}
            store = ses_feedback._services.get().store
            assert store.get_suppression("jane@example.com").reason == "bounce"
        finally:
            ses_feedback.reset()
