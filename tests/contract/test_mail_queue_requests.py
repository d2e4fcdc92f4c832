"""What the mail queue costs on DynamoDB, in requests per e-mail (run with -s to print
the figures storage/dynamodb.md quotes): queueing rides in the change's own write, and
sending a mail costs three requests plus one index query per batch."""

from __future__ import annotations

from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.services.context import Services
from loket.services.mail_dispatch import send_queued
from loket.services.submission import submit_ticket
from tests.api.conftest import VALID
from tests.contract.test_dynamodb_requests import dynamodb_store, record_calls  # noqa: F401
from tests.contract.test_store_contract import T0
from tests.paths import SITE_CONFIG
from tests.workflow.conftest import MailBag

MAILS = 10

def services_over(store) -> Services:
    config = load_portal_config(SITE_CONFIG)
    config.submissions.per_hour = config.submissions.per_day = 10_000
    return Services(config=config, store=store, mail=MailBag(), clock=FixedClock(T0),
                    base_url="http://portal.test",
                    mail_from="Nordwind Support <support@nordwind.example>")

def test_queueing_costs_no_request_and_sending_three_per_mail(dynamodb_store):
    services = services_over(dynamodb_store)
    calls = record_calls(dynamodb_store.client)
    submit_ticket(services, VALID, client_address="203.0.113.1")
    # The receipt is one more item in the ticket's TransactWriteItems: no request more.
    assert calls.count("TransactWriteItems") == 1 and "PutItem" not in calls
    for i in range(MAILS - 1):
        submit_ticket(services, {**VALID, "subject": f"s{i}"}, client_address=f"203.0.113.{i + 2}")
    calls.clear()
    report = send_queued(services)
    assert report.sent == MAILS and len(services.mail.sent) == MAILS
    per_mail = {name: calls.count(name) / MAILS for name in sorted(set(calls))}
    print(f"\nsending {MAILS} queued mails: {len(calls)} requests, "
          f"{len(calls) / MAILS:.1f} per mail: {per_mail}")
    # One Query finds the batch; per mail: UpdateItem (claim), GetItem (suppression),
    # UpdateItem (sent, if the claim holds). Each ticket also queued one record for its
    # board's agents' notices (services/agent_notices.py; none asks for them here):
    # UpdateItem (claim), UpdateItem (done, with the outcomes), and one Query (the
    # agents) for all of a batch's records.
    assert calls.count("Query") == 1 + 1
    assert calls.count("GetItem") == MAILS
    assert calls.count("UpdateItem") == 4 * MAILS and "PutItem" not in calls
    assert len(calls) == 3 * MAILS + 1 + 2 * MAILS + 1
