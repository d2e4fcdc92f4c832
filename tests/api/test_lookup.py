"""GET /api/tickets/{number}: a ticket opens only with its access key."""

from __future__ import annotations

from tests.api.conftest import VALID


def test_lookup_shows_status_subject_and_timeline(client):
    receipt = client.post("/api/tickets", json={**VALID, "description": "Step 1 <script>"}).get_json()
    response = client.get(f"/api/tickets/{receipt['number']}?token={receipt['token']}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["subject"] == VALID["subject"] and body["status"]["label"] == "Open"
    assert [(m["role"], m["body"]) for m in body["messages"]] == [("customer", "Step 1 <script>")]


def test_wrong_token_answers_exactly_like_a_missing_ticket(client):
    receipt = client.post("/api/tickets", json=VALID).get_json()
    wrong = client.get(f"/api/tickets/{receipt['number']}?token=guess")
    without = client.get(f"/api/tickets/{receipt['number']}")
    missing = client.get("/api/tickets/99999?token=guess")
    assert wrong.status_code == without.status_code == missing.status_code == 404
    assert wrong.data == without.data == missing.data
    assert dict(wrong.headers) == dict(missing.headers)


def test_non_numeric_ticket_number_is_not_found(client):
    response = client.get("/api/tickets/abc?token=x")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
