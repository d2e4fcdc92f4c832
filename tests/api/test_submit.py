"""POST /api/tickets: receipts, bad input, idempotency, limits."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import hypothesis
import pytest
from flask import url_for
from hypothesis import given
from hypothesis import strategies as st

from loket.clock import FixedClock
from loket.services.submission import submit_ticket
from tests.api.conftest import VALID, ticket_count


def submit(client, data=None, **kwargs):
    return client.post("/api/tickets", json=VALID if data is None else data, **kwargs)


def test_json_submission_answers_with_a_receipt(client, services):
    response = submit(client, {**VALID, "environment": "production", "users_affected": 12})
    assert response.status_code == 201
    body = response.get_json()
    assert body["number"] == services.config.first_ticket_number
    assert body["status"] == {"id": "open", "category": "open", "label": "Open"}
    assert body["lookup_url"] == (f"http://portal.test/portal/tickets/{body['number']}"
                                  f"?token={body['token']}")
    assert response.headers["Location"] == f"/api/tickets/{body['number']}"
    stored = services.store.get_ticket(body["number"])
    assert stored.fields == {"environment": "production", "users_affected": 12}
    assert stored.subject == VALID["subject"] and stored.email == VALID["email"]


def test_form_encoded_submission_is_accepted(client, services):
    response = client.post("/api/tickets", data={**VALID, "users_affected": "3"})
    assert response.status_code == 201
    assert services.store.get_ticket(response.get_json()["number"]).fields == {"users_affected": 3}


def test_numbers_are_consecutive(client):
    first, second = submit(client).get_json(), submit(client).get_json()
    assert second["number"] == first["number"] + 1


@pytest.mark.parametrize("change, field, words", [
    ({"email": None}, "email", "required"),
    ({"email": "ann.example.com"}, "email", "not a valid e-mail"),
    ({"product": "spreadsheet"}, "product", "must be one of: planner, payroll"),
    ({"type": "complaint"}, "type", "must be one of"),
    ({"subject": "   "}, "subject", "required"),
    ({"subject": "x" * 151}, "subject", "too long (151 characters; at most 150)"),
    ({"description": ""}, "description", "required"),
    ({"description": "x" * 20001}, "description", "too long"),
    ({"favourite_colour": "blue"}, "favourite_colour", "unknown field"),
    ({"users_affected": "many"}, "users_affected", "whole number"),
    ({"users_affected": 0}, "users_affected", "at least 1"),
    ({"users_affected": True}, "users_affected", "whole number"),
    ({"subject": 42}, "subject", "must be text"),
    ({"occurred_at": "yesterday"}, "occurred_at", "date and time"),
    ({"environment": "staging"}, "environment", "must be one of: test, acceptance, production"),
    ({"language": "fr"}, "language", "must be one of: en, de, nl"),
    ({"homepage": "http://spam.example"}, "homepage", "left empty"),
])
def test_bad_input_names_the_field_and_stores_nothing(client, services, change, field, words):
    data = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    response = submit(client, data)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and problem["title"] == "Invalid submission"
    [error] = [e for e in problem["errors"] if e["field"] == field]
    assert words in error["detail"]
    assert [e["field"] for e in problem["errors"]] == [field]
    assert ticket_count(services) == 0


def test_every_bad_field_is_named_at_once(client):
    problem = submit(client, {"email": "x", "bogus": 1}).get_json()
    assert {e["field"] for e in problem["errors"]} == {
        "bogus", "email", "product", "type", "subject", "description"}


@pytest.mark.parametrize("body, content_type, status, words", [
    ("{not json", "application/json", 400, "not valid JSON"),
    ("[1, 2]", "application/json", 400, "JSON object"),
    ("subject=hi", "text/plain", 415, "application/json"),
])
def test_malformed_bodies_get_a_problem(client, services, body, content_type, status, words):
    response = client.post("/api/tickets", data=body, content_type=content_type)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert words in response.get_json()["detail"]
    assert ticket_count(services) == 0


def test_repeated_form_field_is_refused(client, services):
    response = client.post("/api/tickets", data={**VALID, "subject": ["a", "b"]})
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert {k: error[k] for k in ("field", "detail", "pointer")} == {
        "field": "subject", "detail": "was given more than once", "pointer": "#/subject"}
    assert error["message"].endswith(".")  # A whole sentence in the request's language.
    assert ticket_count(services) == 0


def test_oversized_body_gets_413(client, services):
    limit = services.config.submissions.max_body_bytes
    response = submit(client, {**VALID, "description": "x" * limit})
    assert response.status_code == 413
    assert str(limit) in response.get_json()["detail"]
    assert ticket_count(services) == 0


def test_retry_with_same_idempotency_key_returns_the_same_ticket(client, services, outbox):
    headers = {"Idempotency-Key": "3f1c2a9e-retry"}
    first = submit(client, headers=headers)
    again = submit(client, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert ticket_count(services) == 1
    assert len(outbox.messages()) == 1


def test_idempotency_key_reused_for_another_ticket_conflicts(client, services):
    headers = {"Idempotency-Key": "key-1"}
    submit(client, headers=headers)
    response = submit(client, {**VALID, "subject": "Something else"}, headers=headers)
    assert response.status_code == 409
    assert "Idempotency-Key" in response.get_json()["title"]
    assert ticket_count(services) == 1


def test_malformed_idempotency_key_is_refused(client, services):
    response = submit(client, headers={"Idempotency-Key": "has spaces in it"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "Idempotency-Key"
    assert ticket_count(services) == 0


def test_hourly_limit_per_address_with_retry_after(client, services, clock):
    per_hour = services.config.submissions.per_hour
    for _ in range(per_hour):
        assert submit(client).status_code == 201
    refused = submit(client)
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 3600
    assert f"more than {per_hour} submissions per hour" in refused.get_json()["detail"]
    assert ticket_count(services) == per_hour
    other = submit(client, environ_base={"REMOTE_ADDR": "192.0.2.77"})
    assert other.status_code == 201
    clock.move(seconds=retry_after)
    assert submit(client).status_code == 201


def test_daily_limit_per_address(client, services, clock):
    services.config.submissions.per_hour = 1000
    per_day = services.config.submissions.per_day
    for _ in range(per_day):
        assert submit(client).status_code == 201
    refused = submit(client)
    assert refused.status_code == 429
    assert "per day" in refused.get_json()["detail"]


def test_the_receipt_s_location_is_under_the_portal_s_mount_point(client):
    # Served under a path prefix (SCRIPT_NAME), as behind a proxy that mounts it there.
    response = submit(client, base_url="http://portal.test/support")
    assert response.status_code == 201
    assert response.headers["Location"] == f"/support/api/tickets/{response.get_json()['number']}"


# The receipt's Location is written out (f"{script_root}/api/tickets/{n}") instead of
# built by url_for on every submission (#13). url_for is the general path it stands
# for: under any mount point (SCRIPT_NAME, as a proxy passes it: spaces, non-ASCII,
# escapes, reserved characters, a trailing slash, none), the header sent must be the
# one an answer with url_for's address sends in the same request.
_MOUNTS = st.one_of(
    st.sampled_from(["", "/", "/support", "/support/", "/sup port", "/ünï", "/a%20b",
                     "/a;b", "/a+b", "/~u/v", "/x?y", "/a#b", "//double"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
            max_size=8).map(lambda text: "/" + text))
_addresses = itertools.count(1)


@hypothesis.settings(derandomize=True, max_examples=30, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
@given(_MOUNTS)
def test_the_receipt_s_location_is_what_url_for_gives_under_any_mount_point(app, client,
                                                                             mount):
    environ = {"SCRIPT_NAME": mount.encode("utf-8").decode("latin-1"),
               "REMOTE_ADDR": f"10.0.{next(_addresses) // 250}.{next(_addresses) % 250}"}
    response = client.post("/api/tickets", json=VALID, environ_overrides=environ)
    assert response.status_code == 201
    number = response.get_json()["number"]
    with app.test_request_context("/api/tickets", method="POST",
                                  environ_overrides=environ) as context:
        # As the former code's answer sent it: url_for's address, made a URI on the way out.
        former = app.response_class(headers={"Location": url_for("api.get_ticket",
                                                                 number=number)})
        sent = former.get_wsgi_headers(context.request.environ)["Location"]
    assert response.headers["Location"] == sent


class TickingClock(FixedClock):
    """A fixed clock that moves on by `tick` at every reading: a submission that read
    it more than once would see different moments (across a window's edge)."""

    def __init__(self, at, tick):
        super().__init__(at)
        self.tick = tick

    def now(self):
        at = super().now()
        self.move(microseconds=self.tick)
        return at


@hypothesis.settings(derandomize=True, max_examples=25, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
@given(st.sampled_from([datetime(2026, 11, 26, 9, 59, 59, 999_999, tzinfo=timezone.utc),
                        datetime(2026, 11, 26, 23, 59, 59, 999_998, tzinfo=timezone.utc),
                        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone.utc)]),
       st.sampled_from([1, 2, 1_000_000]), st.integers(0, 255))
def test_one_reading_of_the_clock_gives_a_submission_all_its_moments(services, at, tick,
                                                                     host):
    # #13: submit_ticket reads the clock once. Its limits' windows hold the ticket's
    # moment, and the receipt and the agents' notices are queued at that moment too,
    # however the clock moves while the submission runs.
    services.clock = TickingClock(at, tick)
    seen = {}
    create = services.store.create_ticket

    def spying(new, **kwargs):
        seen["hits"] = kwargs["hits"]
        return create(new, **kwargs)

    services.store.create_ticket = spying
    before = {m.id for m in services.store.list_mail(pending=True, limit=1000)}
    receipt = submit_ticket(services, dict(VALID), client_address=f"198.51.100.{host}")
    moment = receipt.ticket.created_at
    assert moment == at
    assert {hit.window for hit in seen["hits"]} == {"hour", "day"}
    assert all(hit.window_start <= moment < hit.expires_at for hit in seen["hits"])
    queued = [m for m in services.store.list_mail(pending=True, limit=1000)
              if m.id not in before]
    assert {m.kind for m in queued} >= {"receipt"} and len(queued) >= 2
    assert {m.created_at for m in queued} == {moment}
