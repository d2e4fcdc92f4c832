"""The /portal/ pages that work with no JavaScript: form post, receipt, ticket page."""

from __future__ import annotations

import re

from tests.api.conftest import VALID, ticket_count


def test_form_post_answers_with_a_receipt_page(client, services):
    response = client.post("/portal/tickets", data={**VALID, "language": "en",
                                                    "homepage": "", "idempotency_key": ""})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    number = services.config.first_ticket_number
    assert f'<dd class="loket-number">{number}</dd>' in html
    assert "Ticket received" in html and ">Open<" in html
    ticket = services.store.get_ticket(number)
    assert f"/portal/tickets/{number}?token={ticket.access_key}" in html


def test_form_post_in_dutch_answers_in_dutch(client):
    html = client.post("/portal/tickets", data={**VALID, "language": "nl"}).get_data(as_text=True)
    assert "Melding ontvangen" in html and "Meldingsnummer" in html


def test_bad_form_post_shows_the_form_again_with_messages_and_values(client, services):
    data = {**VALID, "email": "not-an-address", "subject": '<img src=x onerror=alert(1)>'}
    response = client.post("/portal/tickets", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="loket-field loket-field--invalid" data-field="email"' in html
    assert "is not a valid e-mail address" in html
    assert 'value="not-an-address"' in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert ticket_count(services) == 0


def test_same_idempotency_key_in_a_form_post_makes_one_ticket(client, services):
    data = {**VALID, "idempotency_key": "form-key-1"}
    assert client.post("/portal/tickets", data=data).status_code == 201
    assert client.post("/portal/tickets", data=data).status_code == 201
    assert ticket_count(services) == 1


def test_ticket_page_shows_status_and_escaped_messages(client):
    receipt = client.post("/api/tickets", json={**VALID, "description": "<script>x()</script>"}).get_json()
    html = client.get(f"/portal/tickets/{receipt['number']}?token={receipt['token']}").get_data(as_text=True)
    assert 'class="loket-status loket-status--open">Open</dd>' in html
    assert "<script>x()" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html


def test_ticket_page_with_wrong_token_looks_like_a_missing_one(client):
    receipt = client.post("/api/tickets", json=VALID).get_json()
    wrong = client.get(f"/portal/tickets/{receipt['number']}?token=nope")
    missing = client.get("/portal/tickets/99999?token=nope")
    assert wrong.status_code == missing.status_code == 404
    assert wrong.data == missing.data


def test_lookup_form_redirects_to_the_ticket_page(client):
    receipt = client.post("/api/tickets", json=VALID).get_json()
    response = client.get(f"/portal/lookup?number=%23{receipt['number']}&token={receipt['token']}")
    assert response.status_code == 303
    assert re.fullmatch(rf"/portal/tickets/{receipt['number']}\?token={receipt['token']}&lang=en",
                        response.headers["Location"])


def test_rate_limited_form_post_says_when_to_retry(client, services):
    services.config.submissions.per_hour = 1
    client.post("/portal/tickets", data=VALID)
    response = client.post("/portal/tickets", data=VALID)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many tickets" in response.get_data(as_text=True)


def test_ticket_page_without_a_language_uses_the_tickets_own(client):
    receipt = client.post("/api/tickets", json={**VALID, "language": "nl"}).get_json()
    link = receipt["lookup_url"].removeprefix("http://portal.test")
    html = client.get(link).get_data(as_text=True)
    assert "Gesprek" in html
    assert "Conversation" in client.get(link + "&lang=en").get_data(as_text=True)
