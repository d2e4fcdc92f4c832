"""An idempotent retry (same Idempotency-Key, same body) never counts against the
submission limits: not while there is room, and not once the limit is reached."""

from __future__ import annotations

from tests.api.conftest import VALID, ticket_count


def submit(client, key: str | None = None, data=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/tickets", json=data or VALID, headers=headers)


def test_retries_leave_room_for_new_submissions(client, services):
    per_hour = services.config.submissions.per_hour
    first = submit(client, "retry-me")
    assert first.status_code == 201
    for _ in range(5):
        again = submit(client, "retry-me")
        assert again.status_code == 200 and again.get_json() == first.get_json()
    # All the room the retries would have taken is still there.
    for _ in range(per_hour - 1):
        assert submit(client).status_code == 201
    assert submit(client).status_code == 429
    assert ticket_count(services) == per_hour


def test_a_retry_gets_its_ticket_after_the_limit_is_reached(client, services):
    per_hour = services.config.submissions.per_hour
    for _ in range(per_hour - 1):
        assert submit(client).status_code == 201
    last = submit(client, "the-last-one")
    assert last.status_code == 201
    assert submit(client).status_code == 429  # The limit holds for new tickets...
    for _ in range(3):  # ...and a retry of a counted request still gets its ticket.
        again = submit(client, "the-last-one")
        assert again.status_code == 200
        assert again.get_json()["number"] == last.get_json()["number"]
    assert ticket_count(services) == per_hour


def test_a_new_key_or_another_body_over_the_limit_is_refused(client, services):
    per_hour = services.config.submissions.per_hour
    for i in range(per_hour):
        assert submit(client, f"key-{i}").status_code == 201
    assert submit(client, "a-new-key").status_code == 429
    other_body = submit(client, "key-0", {**VALID, "subject": "Something else"})
    assert other_body.status_code in (409, 422, 429)
    assert ticket_count(services) == per_hour
