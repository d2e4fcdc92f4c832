"""Every answer carries the security headers (web/headers.py): each route of the app's
URL map, asked as a stranger and as a signed-in agent, errors included."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from argon2 import PasswordHasher
from flask import Flask, Response, abort, request
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from loket.blobs.folder import FolderBlobs
from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.domain.accounts import Role
from loket.mail.outbox import OutboxMailer
from loket.services.accounts import invite
from loket.services.context import Services
from loket.services.passwords import hash_password
from loket.services.sessions import start_session
from loket.services.submission import submit_ticket
from loket.settings import Settings
from loket.storage.sqlite import SQLiteStore
from loket.web import headers
from loket.web.app import create_app
from loket.web.auth import SESSION_COOKIE
from tests.api.conftest import VALID
from tests.paths import SITE_CONFIG

INLINE = "console.log('inline, allowed by its hash')"
SITE_PAGE = f"<!doctype html><html><head><script>{INLINE}</script></head><body>Hi</body></html>"
AGENT = "desk@nordwind.example"


@pytest.fixture
def services(tmp_path):
    clock = FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc))
    return Services(config=load_portal_config(SITE_CONFIG),
                    store=SQLiteStore(tmp_path / "loket.db"),
                    mail=OutboxMailer(tmp_path / "outbox"), clock=clock,
                    base_url="http://portal.test", mail_from="support@nordwind.example",
                    blobs=FolderBlobs(tmp_path / "blobs", secret_key="test-secret"),
                    secret_key="test-secret",
                    password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def site_dir(tmp_path):
    site = tmp_path / "site"
    (site / "kb").mkdir(parents=True)
    (site / "index.html").write_text(SITE_PAGE)
    (site / "kb" / "index.html").write_text(SITE_PAGE)
    (site / "404.html").write_text("<!doctype html><title>Not found</title>")
    return site


def make_app(services, site_dir):
    app = create_app(Settings(site_dir=site_dir, config_dir=SITE_CONFIG), services=services)
    app.testing = True
    return app


@pytest.fixture
def app(services, site_dir):
    return make_app(services, site_dir)


@pytest.fixture
def ticket(services):
    return submit_ticket(services, dict(VALID), client_address="192.0.2.1").ticket


def active_agent(services):
    account, _ = invite(services, AGENT, organization=None, products=["planner"],
                        role=Role.AGENT)
    account = replace(account, password_hash=hash_password(services, "x"))
    services.store.save_account(account)
    return account


def sample_url(rule, ticket) -> str:
    values = {}
    for name in rule.arguments - set(rule.defaults or {}):
        if isinstance(rule._converters.get(name), IntegerConverter):
            values[name] = ticket.number
        elif name == "path":
            values[name] = "kb/"
        else:
            values[name] = "not-a-real-one"
    # The ticket's secret link opens its pages and API to a stranger too.
    return rule.build(values, append_unknown=False)[1] + f"?token={ticket.access_key}"


def requests_of(app, ticket):
    # Signing out last, so the signed-in run sees every page signed in.
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint.endswith("logout"))
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, sample_url(rule, ticket)


def assert_secure(response, where: str) -> None:
    h = response.headers
    policy = h.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy or policy == headers.ATTACHMENT_POLICY, where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert h.get("X-Frame-Options") == "DENY", where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("Referrer-Policy") == "no-referrer", where
    assert "Strict-Transport-Security" not in h, where  # The portal runs on http here.
    if response.mimetype == "text/html":
        assert "script-src 'self'" in policy and "default-src 'self'" in policy, where
    if response.mimetype in headers.DATA_TYPES:
        assert policy == headers.API_POLICY, where


@pytest.mark.parametrize("signed_in", [False, True], ids=["stranger", "agent"])
def test_every_route_answers_with_the_security_headers(services, app, ticket, signed_in):
    client = app.test_client()
    token = ""
    if signed_in:
        secret, session = start_session(services, active_agent(services))
        client.set_cookie(SESSION_COOKIE, secret, domain="localhost")
        token = session.csrf
    seen = set()
    for method, url in requests_of(app, ticket):
        with client.open(url, method=method, headers={"X-CSRF-Token": token}) as response:
            assert response.status_code < 500, f"{method} {url}: {response.status_code}"
            assert_secure(response, f"{method} {url} ({response.status_code})")
        seen.add((method, url))
    assert len(seen) >= 30  # Every rule was asked, not a handful.


def test_errors_carry_them_too(app):
    client = app.test_client()
    for method, path in (("GET", "/no/such/page"), ("GET", "/api/no-such-thing"),
                         ("DELETE", "/api/tickets"), ("GET", "/portal/no-such-page")):
        with client.open(path, method=method) as response:
            assert response.status_code in (404, 405)
            assert_secure(response, path)


def test_site_pages_allow_their_own_inline_scripts_by_hash(app):
    with app.test_client().get("/kb/") as response:
        assert response.status_code == 200
        policy = response.headers["Content-Security-Policy"]
    assert f"'{headers.script_hash(INLINE)}'" in policy


def test_the_hashes_skip_external_scripts_and_data_blocks():
    page = ('<script src="/a.js"></script><script id="__config" type="application/json">'
            '{"a": 1}</script><script>run()</script>')
    assert headers.inline_script_hashes(page) == {headers.script_hash("run()")}


def test_hsts_only_on_https(services, site_dir):
    services.base_url = "https://support.nordwind.example"
    response = make_app(services, site_dir).test_client().get("/api/health")
    assert response.headers["Strict-Transport-Security"] == headers.STRICT_TRANSPORT_SECURITY


def test_the_s3_bucket_may_receive_uploads_and_show_thumbnails():
    settings = Settings(blobs="s3", attachments_bucket="loket-files", aws_region="eu-west-1")
    origins = headers.file_origins(settings)
    policy = headers.page_policy(file_origins=origins)
    assert "https://loket-files.s3.eu-west-1.amazonaws.com" in policy
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src"))
    assert "https://loket-files.s3.amazonaws.com" in connect
    assert headers.file_origins(Settings()) == ()


def test_the_middleware_adds_only_what_an_answer_did_not_set_itself():
    added = headers.SecurityHeaders(None, lambda kind: headers.security_headers(
        policy=f"{kind}-policy", https=True))
    own = [("Content-Type", "application/problem+json; charset=utf-8"),
           ("Content-Type", "text/html"), ("referrer-policy", "same-origin")]
    assert added.added_to(own) == [*own, ("Content-Security-Policy", "data-policy"),
                                   ("X-Frame-Options", "DENY"),
                                   ("X-Content-Type-Options", "nosniff"),
                                   ("Strict-Transport-Security", headers.STRICT_TRANSPORT_SECURITY)]
    # No Content-Type (a 204, a redirect): a page's policy, as before.
    assert ("Content-Security-Policy", "page-policy") in added.added_to([("Location", "/x")])


# -- Property: the middleware against the after_request hook it replaced ---------------
#
# The reference oracle is headers.install as it stood before the middleware (4333025^):
# an after_request hook that set each security header with Headers.setdefault, the kind
# by Response.mimetype. Two apps answer the same drawn answers (any mix and case of
# their own headers, several or odd Content-Types, errors), one with each; every answer
# must carry the same headers with the same values (order within each name kept).

def _oracle_install(app: Flask, *, https: bool) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        kind = "data" if response.mimetype in headers.DATA_TYPES else "page"
        for name, value in headers.security_headers(
                policy=f"{kind}-policy", https=https).items():
            response.headers.setdefault(name, value)
        return response


def _answering_app(install) -> Flask:
    app = Flask(__name__)

    @app.post("/answer")
    def answer():
        case = pickle.loads(request.get_data())
        if case["error"]:
            abort(case["error"])
        return Response(b"x", status=case["status"], headers=case["headers"])

    install(app)
    return app


_NAMES = ["Content-Type", "content-type", "CONTENT-TYPE", "Referrer-Policy",
          "referrer-policy", "Content-Security-Policy", "content-security-policy",
          "X-Frame-Options", "x-content-type-options", "Strict-Transport-Security",
          "Location", "Cache-Control", "X-Custom"]
_VALUES = ["application/json", "application/json; charset=utf-8",
           " application/problem+json ;x=1", "Application/JSON", "text/html", "",
           "same-origin", ";application/json", "application/json;", "image/png"]


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.booleans(), st.lists(st.fixed_dictionaries({
    "headers": st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(_VALUES)),
                        max_size=5),
    "status": st.sampled_from([200, 201, 204, 302, 404, 500]),
    "error": st.sampled_from([None, None, None, 404, 405, 500])}), min_size=1, max_size=4))
def test_the_middleware_gives_what_the_after_request_hook_gave(https, cases):
    ours = _answering_app(lambda app: setattr(app, "wsgi_app", headers.SecurityHeaders(
        app.wsgi_app, lambda kind: headers.security_headers(policy=f"{kind}-policy",
                                                            https=https))))
    former = _answering_app(lambda app: _oracle_install(app, https=https))
    for case in cases:
        body = pickle.dumps(case)
        got = ours.test_client().post("/answer", data=body)
        expected = former.test_client().post("/answer", data=body)
        assert got.status == expected.status

        def by_name(response):
            found: dict[str, list[str]] = {}
            for name, value in response.headers.items():
                found.setdefault(name.lower(), []).append(value)
            return found

        assert by_name(got) == by_name(expected)
