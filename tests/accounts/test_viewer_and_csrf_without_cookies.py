"""Who is asking, and the CSRF check, for requests with and without a Cookie header.

Since #13 web/auth answers a request without a Cookie header (an anonymous API call)
without parsing cookies: viewer() is None and the CSRF hook lets it through, and both
read Flask's proxies once (web/current.py). The reference oracles are viewer() and the
CSRF hook as they stood before (4333025^): cookies parsed on every request. For drawn
requests (no Cookie header, an empty or malformed one, other cookies, the session
cookie valid, ended, blank or forged; any method; API and form endpoints; the CSRF
token in the header or the form, right or wrong), both give the same viewer and the
same outcome of the check."""

from __future__ import annotations

import pytest
from flask import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.domain.errors import Refused
from loket.services.sessions import end_session, start_session, viewer_of
from loket.web import auth
from loket.web.payloads import FORM_TYPES, allow_files
from tests.accounts.conftest import ANN


def _oracle_viewer(services):
    return viewer_of(services, request.cookies.get(auth.session_cookie_name()))


def _oracle_csrf(services) -> str:
    if request.method not in auth.STATE_CHANGING or request.endpoint in auth.CSRF_EXEMPT:
        return "through"
    if auth.session_cookie_name() not in request.cookies:
        return "through"
    found = _oracle_viewer(services)
    if found is None:
        return "through"
    if request.endpoint == "pages.submit":
        return "through"
    posted = request.headers.get(auth.CSRF_HEADER)
    if posted is None and request.mimetype in FORM_TYPES:
        allow_files(request)
        posted = request.form.get(auth.CSRF_FIELD)
    return "through" if found.csrf_ok(posted) else "refused"


def _real_csrf(app) -> str:
    try:
        app.preprocess_request()
    except Refused as exc:
        assert exc.kind == "csrf"
        return "refused"
    return "through"


@pytest.fixture
def session(services, people):
    secret, started = start_session(services, services.store.get_account(ANN))
    ended, _ = start_session(services, services.store.get_account(ANN))
    end_session(services, ended)
    return {"secret": secret, "csrf": started.csrf, "ended": ended}


_COOKIES = st.sampled_from([None, "", "a=b", "loket_session=", "loket_session=forged",
                            "=;;", "loket_session", "valid", "ended", "other; valid",
                            "valid; loket_session=forged", "loket_form=x"])


@settings(derandomize=True, max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_COOKIES, st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
       st.sampled_from(["/api/tickets", "/portal/tickets", "/api/session",
                        "/api/tickets/10001/messages", "/portal/login", "/nowhere"]),
       st.sampled_from([None, "right", "wrong"]), st.sampled_from([None, "right", "wrong"]))
def test_viewer_and_csrf_check_answer_as_parsing_the_cookies_did(
        services, app, session, cookie, method, path, header, field):
    token = {"right": session["csrf"], "wrong": "x" * 43, None: None}
    headers = {}
    if cookie is not None:
        headers["Cookie"] = cookie.replace("valid", f"loket_session={session['secret']}") \
            .replace("ended", f"loket_session={session['ended']}")
    if token[header] is not None:
        headers[auth.CSRF_HEADER] = token[header]
    form = {"csrf_token": token[field]} if token[field] is not None else None
    context = dict(method=method, headers=headers, data=form)
    with app.test_request_context(path, **context):
        real = _real_csrf(app), auth.viewer()
    with app.test_request_context(path, **context):
        former = _oracle_csrf(services), _oracle_viewer(services)
    assert real[0] == former[0]
    assert (real[1] and real[1].account.email) == (former[1] and former[1].account.email)
