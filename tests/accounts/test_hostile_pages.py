"""No input answers 500 on any route of the app, pages included (the API's document is
fuzzed by tests/api/test_fuzz.py; pages have none): every rule of app.url_map, for a
stranger, a customer, an agent and a desk admin (with a valid CSRF token, so the views
run), with odd path values, query strings and form fields; and the desk admins' own forms
(/desk/people/, /desk/mail/suppressions/) field by field, past their checks of who may."""

from __future__ import annotations

import dataclasses
import html as html_lib
import re

import pytest

from loket.domain.accounts import Role
from loket.domain.outgoing import Suppression
from loket.services.accounts import invite
from tests.accounts.conftest import AGENT, ANN, sign_in_as
from tests.api.conftest import VALID

# An agent portal.yml names in accounts.desk_admins (AGENT is not one).
DESK_ADMIN = "lead@nordwind.example"

ODD_TEXT = "\x00\x1b[2J\u202e\u200bé" + "x" * 300
QUERY = {"lang": "AAA", "after": "²", "category": ODD_TEXT, "product": ODD_TEXT, "sort": "x",
         "q": "é" * 300, "status": "AAA", "number": "²", "token": ODD_TEXT,
         "next": "javascript:alert(1)", "address": ODD_TEXT, "ticket": "²", "queued": ODD_TEXT}
FORM = {name: ODD_TEXT for name in (
    "email", "subject", "description", "body", "comment", "status", "impact", "urgency",
    "assignee", "first_name", "last_name", "organization", "product", "type", "language",
    "password_again", "idempotency_key", "homepage", "address", "confirm", "note", "messages")}
FORM.update(password="x" * 5000, rating="bad", warranty="on", internal="on", ticket="²")
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


@pytest.fixture
def desk_admin(services, people):
    """An agent of the planner board named in accounts.desk_admins."""
    invite(services, DESK_ADMIN, organization=None, products=["planner"], role=Role.AGENT)
    people.activate(DESK_ADMIN)
    config = services.config
    services.config = dataclasses.replace(
        config, accounts=config.accounts.model_copy(update={"desk_admins": [DESK_ADMIN]}))
    return DESK_ADMIN


@pytest.mark.parametrize("who", [None, ANN, AGENT, DESK_ADMIN])
def test_no_route_answers_500_to_odd_input(app, client, services, people, desk_admin, who):
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


# The desk admins' forms, one field odd at a time, the others right, so each view's own
# checks (not only "who may") meet the value.
ZED = "zed@elsewhere.example"
ADMIN_PAGES = ("/desk/people/", "/desk/mail/suppressions/")
ODD_VALUES = ["", " ", "\x00", "\u202e\u200b", "x" * 3000, "not an address", "@", "²",
              str(2**64), ZED + "\x00", "zed\x00@elsewhere.example", "\u202e" + ZED,
              "x" * 3000 + "@elsewhere.example", " ZED@Elsewhere.example ",
              "\x1b[2J" + ZED, "zed@elsewhere.example\r\nBcc: x@y.example"]
# The fields these forms read, and a right value of each.
ADMIN_FIELDS = {"address": ZED, "confirm": ZED, "note": "The mailbox works again",
                "messages": "no", "ticket": "{ticket}", "queued": "none"}


def admin_rules(app):
    return [(rule.rule, method) for rule in app.url_map.iter_rules()
            if rule.rule.startswith(ADMIN_PAGES)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def names_the_field(html: str, field: str) -> bool:
    """The page marks the field's own input invalid, or (the lift's address, a hidden
    field) its error says what is wrong with the address."""
    if re.search(rf'name="{field}"[^>]*aria-invalid="true"', html):
        return True
    errors = html_lib.unescape(" ".join(re.findall(r'class="loket-error"[^>]*>(.*?)</p>',
                                                   html, re.S)))
    return field == "address" and re.search(
        r"is not an e-mail address|is not suppressed|No address|is already queued",
        errors) is not None


def test_desk_admin_forms_answer_odd_values_with_field_errors(app, client, services, people,
                                                            desk_admin):
    ticket = client.post("/api/tickets", json={**VALID, "email": ZED}).get_json()["number"]
    csrf = sign_in_as(services, client, desk_admin)
    rules, failures = admin_rules(app), []
    assert len(rules) >= 6, rules
    for path, method in rules:
        for field in ADMIN_FIELDS:
            for value in ODD_VALUES:
                # Suppressed anew each time: a lift that went through lifts it.
                services.store.suppress_address(Suppression(
                    address=ZED, reason="bounce", detail="550 user unknown",
                    created_at=services.clock.now()))
                values = {name: right.format(ticket=ticket)
                          for name, right in ADMIN_FIELDS.items()}
                values[field] = value
                where = f"{method} {path} {field}={value[:40]!r} ->"
                try:  # The test client raises what would be a 500: list them all.
                    response = (client.get(path, query_string=values) if method == "GET"
                                else client.post(path, data={**values, "csrf_token": csrf}))
                except Exception as exc:  # noqa: BLE001
                    failures.append(f"{where} {exc!r}"[:300])
                    continue
                status, html = response.status_code, response.get_data(as_text=True)
                where = f"{where} {status}"
                if status >= 500 or status in (400, 401, 403, 404):
                    failures.append(where)
                elif status in (409, 422) and not names_the_field(html, field) and not (
                        # The right values queued ZED's erasure once already: a second
                        # is refused whatever field varied, and the error says so.
                        path.endswith("/erase") and names_the_field(html, "address")
                        and "already queued" in html):
                    failures.append(where + " (the error names no field)")
    assert not failures, "\n".join(failures)
