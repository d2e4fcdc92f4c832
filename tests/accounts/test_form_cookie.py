"""The double-submit form cookie (web/auth.form_token): since #13 it is set by an
after_this_request of the request that made a form token, not by an after_request
hook on every answer. The reference oracle here is that former hook (4333025^):
registered beside the real code, it works out what it would have set on each answer,
and the answer must carry exactly that, over drawn runs of requests to the pages and
forms that make a form token (sign in, password reset, ticket form, second factor)
and others (API, redirects, errors), with no, blank, foreign or earlier form cookies,
signed in or not, GET and POST."""

from __future__ import annotations

import pytest
from flask import g, request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.web.auth import FORM_COOKIE, SESSION_COOKIE
from tests.accounts.conftest import AGENT, ANN, sign_in_as


def _form_cookie_set(response) -> str | None:
    """The loket_form value an answer sets, or None."""
    found = [h.split(";", 1)[0].split("=", 1)[1] for h in response.headers.getlist("Set-Cookie")
             if h.startswith(f"{FORM_COOKIE}=")]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture
def expected(app) -> list:
    """What the former hook would have set on each answer, in order."""
    found: list = []

    @app.after_request
    def _former_form_cookie(response):
        # The former hook's condition, on the same g and request; what it would set.
        token = g.get("loket_form_token")
        found.append(token if token and request.cookies.get(FORM_COOKIE) != token
                     else None)
        return response

    return found


_PATHS = [("GET", "/portal/login"), ("POST", "/portal/login"), ("GET", "/portal/password-reset"),
          ("POST", "/portal/password-reset"), ("GET", "/portal/invitations/not-a-real-one"),
          ("POST", "/portal/invitations/not-a-real-one"),
          ("GET", "/portal/password-reset/not-a-real-one"), ("GET", "/portal/my-tickets"),
          ("GET", "/portal/account"), ("GET", "/portal/tickets/new"), ("POST", "/portal/tickets"),
          ("GET", "/portal/second-factor"), ("GET", "/portal/lookup"), ("GET", "/api/session"),
          ("GET", "/portal/no-such-page"), ("POST", "/api/tickets"), ("GET", "/desk/")]


@settings(derandomize=True, max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(_PATHS),
                          st.sampled_from(["none", "earlier", "blank", "foreign", "keep"]),
                          st.sampled_from([None, None, ANN, AGENT]),
                          st.booleans()), min_size=1, max_size=6))
def test_the_form_cookie_is_set_when_the_former_hook_set_it(services, app, people, expected,
                                                            rounds):
    client = app.test_client()
    earlier = "earlier-token"
    for (method, path), cookie, person, posted in rounds:
        client.delete_cookie(SESSION_COOKIE, domain="localhost")
        if person:
            sign_in_as(services, client, person)
        if cookie == "none":
            client.delete_cookie(FORM_COOKIE, domain="localhost")
        elif cookie != "keep":
            client.set_cookie(FORM_COOKIE, {"earlier": earlier, "blank": "",
                                            "foreign": "x" * 43}[cookie], domain="localhost")
        data = {"csrf_token": earlier if posted else "wrong", "email": ANN,
                "password": "nope"} if method == "POST" else None
        response = client.open(path, method=method, data=data)
        set_now = _form_cookie_set(response)
        assert set_now == expected[-1], (method, path, cookie, person, response.status)
        if set_now:
            earlier = set_now
