"""No input answers 500 on any route of the app, pages included (the API's document is
fuzzed by tests/api/test_fuzz.py; pages have none): every rule of app.url_map, for a
stranger, a customer and an agent (with a valid CSRF token, so the views run), with
odd path values, query strings and form fields."""

from __future__ import annotations

import re

import pytest

from tests.accounts.conftest import AGENT, ANN, sign_in_as
from tests.api.conftest import VALID

ODD_TEXT = "\x00\x1b[2J\u202e\u200bé" + "x" * 300
QUERY = {"lang": "AAA", "after": "²", "category": ODD_TEXT, "product": ODD_TEXT, "sort": "x",
         "q": "é" * 300, "status": "AAA", "number": "²", "token": ODD_TEXT,
         "next": "javascript:alert(1)"}
FORM = {name: ODD_TEXT for name in (
    "email", "subject", "description", "body", "comment", "status", "impact", "urgency",
    "assignee", "first_name", "last_name", "organization", "product", "type", "language",
    "password_again", "idempotency_key", "homepage")}
FORM.update(password="x" * 5000, rating="bad", warranty="on", internal="on")
PATH_VALUES = {"number": ["{ticket}", str(2**64)], "default": ["é", "x" * 3000, "%00", "a.b.c"]}


def paths_of(rule, ticket: int) -> list[str]:
    """The rule's path with each odd value in each of its variables."""
    names = re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule.rule)
    paths = [rule.rule]
    for name in names:
        values = PATH_VALUES.get(name, PATH_VALUES["default"])
        paths = [re.sub(rf"<(?:[^:>]+:)?{name}>", v.format(ticket=ticket), p, count=1)
                 for p in paths for v in values]
    return paths


@pytest.mark.parametrize("who", [None, ANN, AGENT])
def test_no_route_answers_500_to_odd_input(app, client, services, people, who):
    ticket = client.post("/api/tickets", json={**VALID, "email": ANN}).get_json()["number"]
    csrf = sign_in_as(services, client, who) if who else ""
    failures, seen = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "api.openapi"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for path in paths_of(rule, ticket):
                response = client.open(path, method=method, query_string=QUERY,
                                       data={**FORM, "csrf_token": csrf},
                                       headers={"X-CSRF-Token": csrf,
                                                "Referer": "javascript:alert(1)"})
                seen.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(f"{method} {path[:80]} -> {response.status_code}")
    assert len(seen) > 100 and not failures, failures
