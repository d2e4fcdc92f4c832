"""A store that is busy, full, throttled or out of reach answers 503 with Retry-After
and says nothing was saved; the web form comes back filled in. Other errors stay 500."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

from tests.api.conftest import VALID, ticket_count
from tests.api.test_openapi import check, openapi  # noqa: F401 (a fixture)


def client_error(code: str, **response) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "said by the test"}, **response},
                       "TransactWriteItems")


OUTAGES = {
    "sqlite-full": sqlite3.OperationalError("database or disk is full"),
    "sqlite-locked": sqlite3.OperationalError("database is locked"),
    "dynamodb-throughput": client_error("ProvisionedThroughputExceededException"),
    "dynamodb-throttled": client_error("ThrottlingException"),
    "dynamodb-transaction-throttled": client_error(
        "TransactionCanceledException",
        CancellationReasons=[{"Code": "None"}, {"Code": "ThrottlingError"}]),
    "unreachable": EndpointConnectionError(endpoint_url="https://dynamodb.test"),
}
BUGS = {
    "validation-exception": client_error("ValidationException"),
    "condition-failed": client_error(
        "TransactionCanceledException", CancellationReasons=[{"Code": "ConditionalCheckFailed"}]),
    "sqlite-no-table": sqlite3.OperationalError("no such table: tickets"),
    "bad-parameter": ParamValidationError(report="Missing Key"),
    "runtime": RuntimeError("a bug"),
}


def fail_with(monkeypatch, services, exc: Exception) -> None:
    def create_ticket(*args, **kwargs):
        raise exc

    monkeypatch.setattr(services.store, "create_ticket", create_ticket)


@pytest.mark.parametrize("exc", OUTAGES.values(), ids=OUTAGES.keys())
def test_api_answers_503_problem_with_retry_after(monkeypatch, services, openapi, app, client,
                                                  exc, caplog):
    fail_with(monkeypatch, services, exc)
    with caplog.at_level(logging.WARNING, logger="loket.web.store_outage"):
        response = check(openapi, app, client, "POST", "/api/tickets", json=VALID,
                         headers={"Idempotency-Key": "outage-1"})
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["type"] == "/api/problems/store-unavailable" and body["status"] == 503
    assert body["title"] == "Try again in a moment" and "nothing was saved" in body["detail"]
    assert [r.exc_info[1] for r in caplog.records] == [exc]  # Operators see the cause.


def test_after_an_outage_the_same_request_makes_one_ticket(monkeypatch, services, client):
    fail_with(monkeypatch, services, OUTAGES["sqlite-full"])
    assert client.post("/api/tickets", json=VALID,
                       headers={"Idempotency-Key": "k1"}).status_code == 503
    monkeypatch.undo()
    assert client.post("/api/tickets", json=VALID,
                       headers={"Idempotency-Key": "k1"}).status_code == 201
    assert ticket_count(services) == 1


@pytest.mark.parametrize("exc", BUGS.values(), ids=BUGS.keys())
def test_other_errors_stay_500(monkeypatch, services, app, client, exc):
    fail_with(monkeypatch, services, exc)
    app.testing = False  # Flask's own 500, as in production, instead of raising here.
    assert client.post("/api/tickets", json=VALID).status_code == 500
    assert client.post("/portal/tickets", data=VALID).status_code == 500


@pytest.mark.parametrize("exc", OUTAGES.values(), ids=OUTAGES.keys())
def test_form_comes_back_filled_in_with_a_notice(monkeypatch, services, client, exc):
    long_text = "Step one, then step two.\n" * 40
    data = {**VALID, "description": long_text, "subject": "Export <fails>",
            "idempotency_key": "form-outage-1"}
    fail_with(monkeypatch, services, exc)
    response = client.post("/portal/tickets", data=data)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    html = response.get_data(as_text=True)
    assert "Your ticket was not sent yet" in html and 'class="admonition warning loket-notice" role="alert"' in html
    assert 'value="Export &lt;fails&gt;"' in html
    assert "Step one, then step two.\n" * 40 in html
    assert 'value="ann@example.com"' in html
    assert 'name="idempotency_key" value="form-outage-1"' in html  # A resend makes one.
    monkeypatch.undo()
    assert client.post("/portal/tickets", data=data).status_code == 201
    assert ticket_count(services) == 1


def test_form_notice_in_dutch(monkeypatch, services, client):
    fail_with(monkeypatch, services, OUTAGES["sqlite-locked"])
    response = client.post("/portal/tickets", data={**VALID, "language": "nl"})
    assert response.status_code == 503
    assert "Uw melding is nog niet verstuurd" in response.get_data(as_text=True)


def test_other_pages_answer_a_503_message_page(monkeypatch, services, client):
    def get_ticket(*args, **kwargs):
        raise OUTAGES["dynamodb-throughput"]

    monkeypatch.setattr(services.store, "get_ticket", get_ticket)
    response = client.get("/portal/tickets/10001?token=x&lang=nl")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.content_type.startswith("text/html")
    assert "Probeer het zo opnieuw" in response.get_data(as_text=True)


def test_a_real_busy_sqlite_error_counts_as_an_outage(tmp_path):
    from loket.web.store_outage import store_unavailable

    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as caught:
        other.execute("INSERT INTO t VALUES (1)")
    assert store_unavailable(caught.value)
    with pytest.raises(sqlite3.OperationalError) as caught:
        other.execute("SELECT * FROM missing")
    assert not store_unavailable(caught.value)
    holder.close()
    other.close()
