"""The sweep Lambda handler under moto: EventBridge's scheduled event (AWS's own sample)
sweeps DynamoDB and mails through SES; any other event is refused and sweeps nothing."""

from __future__ import annotations

import copy
import email
import logging
from datetime import datetime, timedelta, timezone
from email.policy import default as default_policy

import pytest

from loket.clock import FixedClock
from loket.handlers import sweep as sweep_handler
from loket.services.status import agent_reply
from loket.services.submission import submit_ticket
from loket.services.sweeper import sweep
from loket.settings import Settings
from loket.wiring import build_services
from tests.aws.conftest import corpus_event

SCHEDULED = "cloudwatch-scheduled-event.json"


@pytest.fixture(autouse=True)
def fresh_handler():
    sweep_handler.reset()
    yield
    sweep_handler.reset()


@pytest.fixture
def overdue_ticket(aws, sent_mail):
    """A ticket that has waited on the customer for 20 days and had its reminder on day
    8: its close is due (a close is never due before its reminder went out)."""
    now = datetime.now(timezone.utc)
    services = build_services(Settings())
    services.clock = FixedClock(now - timedelta(days=20))
    number = submit_ticket(services, {
        "email": "ann@example.com", "product": "planner", "type": "question",
        "subject": "Export fails", "description": "It says the file is locked."},
        client_address="203.0.113.7").ticket.number
    agent_reply(services, number, "Is the file open elsewhere?", agent="piet",
                status="waiting-on-customer")
    services.clock.set(now - timedelta(days=12))
    assert sweep(services).changed == 1  # The reminder.
    return number, services, len(sent_mail())


def test_the_scheduled_event_sweeps(overdue_ticket, sent_mail, dynamodb_calls, caplog):
    number, services, mails_before = overdue_ticket
    dynamodb_calls.clear()
    with caplog.at_level(logging.INFO, logger="loket.handlers.sweep"):
        result = sweep_handler.handle(corpus_event(SCHEDULED), None)
    assert result["swept"] and result["changed"] == 1 and result["emails"] == 1
    # One Query per index shard, then one transaction: the ticket's conditional Put and
    # its queued e-mail together. The index's copy is used as it is (no GetItem): the
    # version condition refuses it if it was behind. Then one Query per shard again for
    # what comes due within the SLA warning window (services/sla_warnings.py, #12), and
    # one for the desk's erase jobs due (services/erase_jobs.py, #15: none here).
    assert dynamodb_calls == {"Query": 9, "TransactWriteItems": 1}
    assert services.store.get_ticket(number).status == "closed"
    [raw] = sent_mail()[mails_before:]
    mail = email.message_from_bytes(raw, policy=default_policy)
    assert mail["Subject"] == f"[#{number}] Status: Closed - Export fails"
    assert f"#{number}: waiting-on-customer -> closed (timer)" in caplog.text

    again = sweep_handler.handle(corpus_event(SCHEDULED), None)
    assert again["swept"] and again["changed"] == 0
    assert len(sent_mail()) == mails_before + 1


def test_the_powertools_scheduled_sample_sweeps_too(overdue_ticket):
    number, services, _ = overdue_ticket
    event = corpus_event("validation_basic_eventbridge_event.json")
    assert sweep_handler.handle(event, None)["changed"] == 1


@pytest.mark.parametrize("name", ["eventBridgeEvent.json", "s3Event.json",
                                  "apiGatewayProxyV2Event.json"])
def test_other_events_are_refused_and_sweep_nothing(overdue_ticket, sent_mail,
                                                    dynamodb_calls, caplog, name):
    number, services, mails_before = overdue_ticket
    dynamodb_calls.clear()
    result = sweep_handler.handle(corpus_event(name), None)
    assert result == {"swept": False, "reason": "not a scheduled event"}
    assert "not a scheduled event" in caplog.text and "nothing swept" in caplog.text
    assert dynamodb_calls == {}
    assert services.store.get_ticket(number).status == "waiting-on-customer"
    assert len(sent_mail()) == mails_before


def test_a_scheduled_event_from_someone_else_is_refused(aws):
    event = copy.deepcopy(corpus_event(SCHEDULED))
    event["source"] = "my.application"  # Anyone may put events with this detail-type.
    assert not sweep_handler.handle(event, None)["swept"]


def test_the_sweep_handler_never_loads_flask_or_search(tmp_path):
    from tests.aws.test_cold_start import loaded_modules

    modules = loaded_modules("sweep", corpus_event(SCHEDULED), tmp_path)
    assert "flask" not in modules["after_import"]
    for heavy in ("flask", "whoosh", "jinja2"):
        assert not [m for m in modules["after_call"] if m == heavy or m.startswith(heavy + ".")]


def test_the_sweep_stops_before_lambdas_timeout(overdue_ticket, sent_mail):
    number, services, mails_before = overdue_ticket

    class AlmostOutOfTime:  # Lambda's context object, 5 seconds before the timeout.
        def get_remaining_time_in_millis(self):
            return 5_000

    result = sweep_handler.handle(corpus_event(SCHEDULED), AlmostOutOfTime())
    assert result["swept"] and result["more"] and result["changed"] == 0
    assert services.store.get_ticket(number).status == "waiting-on-customer"
    assert len(sent_mail()) == mails_before
