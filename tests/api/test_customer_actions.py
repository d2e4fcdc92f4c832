"""The customer closes, reopens and rejects through the API; the workflow decides from
which statuses, and a refusal is a 409 problem that changes nothing."""

from __future__ import annotations

import pytest

from loket.services.status import set_status
from tests.api.conftest import VALID
from tests.api.test_openapi import check, openapi  # noqa: F401 (a fixture)


@pytest.fixture
def receipt(client):
    return client.post("/api/tickets", json=VALID).get_json()


def url(receipt, action, token=None):
    return f"/api/tickets/{receipt['number']}/{action}?token={token or receipt['token']}"


def test_close_with_a_comment_and_mail_about_it(client, receipt, services, outbox):
    response = client.post(url(receipt, "close"), json={"body": "Solved it myself."})
    assert response.status_code == 200
    ticket = response.get_json()
    assert ticket["status"]["id"] == "closed"
    last = ticket["messages"][-1]
    assert (last["role"], last["body"]) == ("customer", "Solved it myself.")
    assert outbox.messages()[-1]["Subject"] == f"[#{receipt['number']}] Status: Closed - {VALID['subject']}"


def test_reopen_a_solved_ticket_without_a_body(client, receipt, services):
    set_status(services, receipt["number"], "solved")
    response = client.post(url(receipt, "reopen"))
    assert response.status_code == 200 and response.get_json()["status"]["id"] == "open"


def test_a_refused_move_is_a_409_problem_and_changes_nothing(client, receipt, services):
    before = services.store.get_ticket(receipt["number"])
    response = client.post(url(receipt, "reject"), json={"body": "no"})
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["type"] == "/api/problems/transition-refused"
    assert "'open'" in problem["detail"]
    assert services.store.get_ticket(receipt["number"]) == before
    assert len(services.store.list_messages(receipt["number"])) == 1


def test_wrong_token_and_bad_fields(client, receipt):
    wrong = client.post(url(receipt, "close", token="nope"))
    missing = client.post("/api/tickets/99999/close?token=nope")
    assert wrong.status_code == missing.status_code == 404 and wrong.data == missing.data
    bad = client.post(url(receipt, "close"), json={"status": "closed"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "status"


def test_answers_fit_the_openapi_document(openapi, app, client, receipt, services):
    assert check(openapi, app, client, "POST", url(receipt, "reopen")).status_code == 409
    set_status(services, receipt["number"], "solved")
    assert check(openapi, app, client, "POST", url(receipt, "close"),
                 json={"body": "Thanks"}).status_code == 200
