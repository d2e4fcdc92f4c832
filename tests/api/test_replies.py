"""Adding information to a ticket, through the API and the no-JavaScript page."""

from __future__ import annotations

from dataclasses import replace

import pytest

from loket.domain.errors import VersionConflict
from loket.services.replies import add_customer_reply
from tests.api.conftest import VALID
from tests.stores import audited_events


@pytest.fixture
def receipt(client):
    return client.post("/api/tickets", json=VALID).get_json()


def messages_url(receipt, token=None):
    return f"/api/tickets/{receipt['number']}/messages?token={token or receipt['token']}"


def test_customer_adds_information(client, receipt, clock):
    clock.move(hours=2)
    response = client.post(messages_url(receipt), json={"body": "It happens in Firefox too."})
    assert response.status_code == 201
    body = response.get_json()
    assert [m["body"] for m in body["messages"]] == [VALID["description"],
                                                     "It happens in Firefox too."]
    assert body["messages"][1]["role"] == "customer"
    assert body["updated_at"] == clock.now().isoformat()


def test_adding_with_a_wrong_token_is_like_a_missing_ticket(client, receipt):
    wrong = client.post(messages_url(receipt, token="nope"), json={"body": "hi"})
    missing = client.post("/api/tickets/99999/messages?token=nope", json={"body": "hi"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.data == missing.data


@pytest.mark.parametrize("payload, field, words", [
    ({"body": "  "}, "body", "required"),
    ({}, "body", "required"),
    ({"body": "x" * 20001}, "body", "too long"),
    ({"body": "ok", "status": "closed"}, "status", "unknown field"),
])
def test_bad_replies_are_refused_and_nothing_is_added(client, services, receipt, payload,
                                                      field, words):
    response = client.post(messages_url(receipt), json=payload)
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert error["field"] == field and words in error["detail"]
    assert len(services.store.list_messages(receipt["number"])) == 1


def test_reply_racing_another_change_is_applied_after_it(services, receipt, monkeypatch):
    store = services.store
    real_save = store.save_ticket
    raced = []

    def save_after_someone_else(ticket, *, expected_version, events, messages=(), mails=()):
        if not raced:  # An agent asks the customer something between our read and write.
            raced.append(True)
            asked = replace(store.get_ticket(ticket.number), status="waiting-on-customer")
            real_save(asked, expected_version=expected_version,
                      events=audited_events(asked, expected_version))
        return real_save(ticket, expected_version=expected_version, events=events,
                         messages=messages, mails=mails)

    monkeypatch.setattr(store, "save_ticket", save_after_someone_else)
    ticket = add_customer_reply(services, receipt["number"], "Still broken", author=VALID["email"])
    # The reply went through the workflow on the fresh ticket: waiting -> open.
    assert ticket.version == 3 and ticket.status == "open"
    assert [m.body for m in store.list_messages(ticket.number)][-1] == "Still broken"


def test_reply_gives_up_clearly_when_it_always_loses(services, receipt, monkeypatch):
    def always_conflict(ticket, **kwargs):
        raise VersionConflict(ticket.number)

    monkeypatch.setattr(services.store, "save_ticket", always_conflict)
    with pytest.raises(VersionConflict):
        add_customer_reply(services, receipt["number"], "hello", author=VALID["email"])


def test_reply_form_on_the_ticket_page(client, services, receipt):
    page = f"/portal/tickets/{receipt['number']}?token={receipt['token']}"
    html = client.get(page).get_data(as_text=True)
    assert 'class="loket-reply"' in html
    response = client.post(f"/portal/tickets/{receipt['number']}/messages?token={receipt['token']}&lang=en",
                           data={"body": "Screenshot follows <b>"})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Screenshot follows &lt;b&gt;" in html


def test_empty_reply_form_is_shown_again_with_the_message(client, receipt):
    response = client.post(f"/portal/tickets/{receipt['number']}/messages?token={receipt['token']}",
                           data={"body": " "})
    assert response.status_code == 422
    assert "is required" in response.get_data(as_text=True)
