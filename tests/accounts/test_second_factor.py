"""Agents' second factor (#12): TOTP set up with a QR code at the first sign-in,
recovery codes shown once and used once, wrong and reused codes limited like wrong
passwords. Codes are made with pyotp at the fixed clock's time."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pyotp
import pytest

from loket.services import totp
from tests.accounts.conftest import AGENT, ANN, PASSWORD, SESSION_COOKIE, csrf_of

PENDING = "loket_second_factor"


@pytest.fixture
def required(services, people):
    services.config.accounts.agents_second_factor = True
    return services


def password_step(client, email=AGENT):
    token = csrf_of(client.get("/portal/login").get_data(as_text=True))
    return client.post("/portal/login", data={"email": email, "password": PASSWORD,
                                              "csrf_token": token, "next": "/desk/"})


def code_now(services, at=None) -> str:
    key = services.store.get_account(AGENT).second_factor.secret
    return pyotp.TOTP(key).at(at or services.clock.now())


def send_code(client, code):
    page = client.get("/portal/second-factor?lang=en")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return client.post("/portal/second-factor?lang=en", data={
        "code": code, "next": "/desk/", "csrf_token": csrf_of(page.get_data(as_text=True))})


def has_session(client) -> bool:
    return client.get_cookie(SESSION_COOKIE) is not None


def set_up(services, client) -> list[str]:
    """Sign in the first time and set up the authenticator; the recovery codes."""
    password_step(client)
    answer = send_code(client, code_now(services))
    assert answer.status_code == 200
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", answer.get_data(as_text=True))


def sign_out(services, client):
    client.post("/portal/logout", data={"csrf_token": csrf_of(
        client.get("/portal/account").get_data(as_text=True))})
    assert not has_session(client)


def test_the_first_sign_in_sets_up_an_authenticator_from_a_qr_code(required, client):
    services = required
    answer = password_step(client)
    assert answer.status_code == 303
    assert urlsplit(answer.headers["Location"]).path == "/portal/second-factor"
    assert not has_session(client) and client.get_cookie(PENDING) is not None
    assert client.get("/desk/").status_code == 303  # no session yet: back to sign in
    page = client.get("/portal/second-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert '<img src="/portal/second-factor/qr.svg"' in html and "<script" not in html
    account = services.store.get_account(AGENT)
    assert not account.second_factor.confirmed
    # The key is on the page as text too, for apps that cannot scan.
    assert account.second_factor.secret[:4] in html
    qr = client.get("/portal/second-factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data and b"<script" not in qr.data
    assert "default-src" in qr.headers["Content-Security-Policy"]
    uri = totp.setup_uri(services, account)
    assert uri.startswith("otpauth://totp/") and f"secret={account.second_factor.secret}" in uri

    wrong = send_code(client, "000000" if code_now(services) != "000000" else "111111")
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    assert not has_session(client)
    done = send_code(client, code_now(services))
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == totp.RECOVERY_CODES == len(set(codes))
    assert has_session(client) and client.get("/desk/").status_code == 200
    factor = services.store.get_account(AGENT).second_factor
    assert factor.confirmed and len(factor.recovery) == totp.RECOVERY_CODES
    # Kept as argon2 hashes, never as the codes themselves.
    assert all(h.startswith("$argon2id$") for _, h in factor.recovery)
    assert not any(c.replace("-", "") in str(factor) for c in codes)
    # The pending step is used up, and the QR code is shown no more.
    assert client.get("/portal/second-factor/qr.svg").status_code == 404


def test_later_sign_ins_ask_for_a_code_and_each_code_counts_once(required, client, clock):
    services = required
    set_up(services, client)
    sign_out(services, client)
    password_step(client)
    page = client.get("/portal/second-factor").get_data(as_text=True)
    assert "qr.svg" not in page and "recovery codes" in page
    # The code that set the authenticator up was used: the same 30 seconds cannot
    # sign in again with it.
    reused = send_code(client, code_now(services))
    assert reused.status_code == 422 and not has_session(client)
    clock.move(seconds=30)
    answer = send_code(client, code_now(services))
    assert answer.status_code == 303 and answer.headers["Location"] == "/desk/"
    assert has_session(client)
    assert services.store.get_account(AGENT).second_factor.confirmed


def test_a_code_from_the_step_before_or_after_is_accepted(required, client, clock):
    services = required
    set_up(services, client)
    sign_out(services, client)
    clock.move(seconds=60)
    password_step(client)
    from datetime import timedelta
    early = code_now(services, clock.now() - timedelta(seconds=30))
    assert send_code(client, early).status_code == 303


def test_a_recovery_code_signs_in_once(required, client, clock):
    services = required
    codes = set_up(services, client)
    sign_out(services, client)
    password_step(client)
    answer = send_code(client, codes[3].upper())  # typed in capitals: still right
    assert answer.status_code == 303 and has_session(client)
    assert len(services.store.get_account(AGENT).second_factor.recovery) == 9
    sign_out(services, client)
    password_step(client)
    again = send_code(client, codes[3])
    assert again.status_code == 422 and not has_session(client)
    assert send_code(client, codes[4]).status_code == 303


def test_wrong_codes_are_limited_like_wrong_passwords(required, client):
    services = required
    set_up(services, client)
    sign_out(services, client)
    password_step(client)
    limit = services.config.accounts.login_limits.per_account
    right = code_now(services)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(limit):
        assert send_code(client, wrong).status_code == 422
    throttled = send_code(client, right)
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    assert not has_session(client)


def test_the_pending_step_expires(required, client, clock):
    services = required
    password_step(client)
    clock.move(minutes=totp.PENDING_MINUTES, seconds=1)
    assert client.get("/portal/second-factor").status_code == 404
    answer = client.post("/portal/second-factor", data={
        "code": code_now(services), "csrf_token": client.get_cookie("loket_form").value})
    assert answer.status_code == 404 and not has_session(client)


def test_an_unconfirmed_key_is_replaced_at_the_next_sign_in(required, client):
    services = required
    password_step(client)
    first = services.store.get_account(AGENT).second_factor.secret
    password_step(client)
    assert services.store.get_account(AGENT).second_factor.secret != first


def test_customers_and_agents_without_the_setting_get_no_second_step(services, people, client):
    answer = password_step(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/desk/"
    assert has_session(client)
    services.config.accounts.agents_second_factor = True
    other = client.application.test_client()
    answer = password_step(other, ANN)
    assert answer.status_code == 303 and has_session(other)


def test_forgetting_the_authenticator_ends_sessions_and_sets_up_anew(required, client):
    services = required
    set_up(services, client)
    totp.forget(services, AGENT)
    assert client.get("/desk/").status_code == 303
    password_step(client)
    assert "qr.svg" in client.get("/portal/second-factor").get_data(as_text=True)


def test_the_operator_resets_a_lost_authenticator_from_the_command_line(tmp_path, monkeypatch):
    import shutil

    from click.testing import CliRunner

    from loket.cli import main
    from tests.paths import SITE_CONFIG

    config = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, config)
    for name, value in {"LOKET_CONFIG_DIR": str(config),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    invited = runner.invoke(main, ["accounts", "invite", AGENT, "--agent", "--product", "planner"])
    assert invited.exit_code == 0, invited.output
    done = runner.invoke(main, ["accounts", "reset-second-factor", AGENT.upper()])
    assert done.exit_code == 0 and "forgotten" in done.output, done.output
    missing = runner.invoke(main, ["accounts", "reset-second-factor", "nobody@nordwind.example"])
    assert missing.exit_code == 1 and "no account" in missing.output
