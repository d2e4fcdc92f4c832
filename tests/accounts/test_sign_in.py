"""Invitations, passwords, signing in and out, password resets, sessions and CSRF."""

from __future__ import annotations

import pytest

from loket.domain.errors import Refused, ValidationFailed
from loket.services.accounts import accept_invitation, invite
from loket.services.organizations import create_organization
from loket.services.passwords import check_strength
from loket.web.auth import SESSION_COOKIE
from tests.accounts.conftest import ANN, PASSWORD, csrf_of, link_in, sign_in_as


@pytest.fixture
def acme(services):
    return create_organization(services, "acme", "Acme B.V.", products=["planner"])


def accept(client, path: str, **fields):
    page = client.get(path)
    assert page.status_code == 200
    data = {"first_name": "Ann", "last_name": "de Vries", "password": PASSWORD,
            "password_again": PASSWORD, "csrf_token": csrf_of(page.get_data(as_text=True))}
    data.update(fields)
    return client.post(path, data=data)


def test_an_invitation_e_mails_a_link_that_activates_the_account_and_signs_in(
        services, client, outbox, acme):
    invite(services, ANN, organization="acme", products=["planner"])
    [mail] = outbox.messages()
    assert mail["To"] == ANN and "Acme B.V." in mail["Subject"]
    path = link_in(mail, "invitations")
    response = accept(client, path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/portal/my-tickets")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    account = services.store.get_account(ANN)
    assert account.active and account.name == "Ann de Vries"
    assert account.password_hash.startswith("$argon2id$")
    my = client.get("/portal/my-tickets")
    assert my.status_code == 200 and "Ann de Vries" in my.get_data(as_text=True)
    # Single use: the link is gone.
    assert client.get(path).status_code == 404
    with pytest.raises(Refused):
        accept_invitation(services, path.rsplit("/", 1)[1], {
            "first_name": "X", "last_name": "Y", "password": PASSWORD,
            "password_again": PASSWORD})


def test_an_invitation_link_expires(services, client, outbox, clock, acme):
    invite(services, ANN, organization="acme", products=["planner"])
    path = link_in(outbox.messages()[0], "invitations")
    clock.move(days=services.config.accounts.invitation_days, seconds=1)
    response = client.get(path)
    assert response.status_code == 404 and "expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("password, reason", [
    ("short1!", "too short: use at least 10 characters"),
    ("password123", "too weak"),
    ("qwertyuiop12", "too weak"),
    ("ann@acme.example", "too weak"),
])
def test_weak_passwords_are_refused_with_a_reason_and_the_link_stays(
        services, client, outbox, acme, password, reason):
    invite(services, ANN, organization="acme", products=["planner"])
    path = link_in(outbox.messages()[0], "invitations")
    response = accept(client, path, password=password, password_again=password)
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert not services.store.get_account(ANN).active
    assert accept(client, path).status_code == 303


def test_the_strength_check_names_its_reason():
    with pytest.raises(ValidationFailed) as caught:
        check_strength("nordwind2026", min_length=10, personal=["Nordwind Software"])
    [error] = caught.value.errors
    assert error.field == "password" and "too weak" in error.message
    assert check_strength(PASSWORD, min_length=10, personal=[]) == PASSWORD


def test_names_and_a_repeated_password_are_required(services, client, outbox, acme):
    invite(services, ANN, organization="acme", products=["planner"])
    path = link_in(outbox.messages()[0], "invitations")
    response = accept(client, path, first_name="", password_again="something else 123")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "is required" in text


def test_inviting_an_active_account_again_is_refused(services, people):
    from loket.domain.errors import AlreadyExists

    with pytest.raises(AlreadyExists):
        invite(services, ANN, organization="acme", products=["planner"])


def login(client, email=ANN, password=PASSWORD, **extra):
    page = client.get("/portal/login")
    return client.post("/portal/login", data={"email": email, "password": password,
                                              "csrf_token": csrf_of(page.get_data(as_text=True)),
                                              **extra})


def test_sign_in_and_out(services, client, people):
    response = login(client, next="/portal/account")
    assert response.status_code == 303 and response.headers["Location"] == "/portal/account"
    page = client.get("/portal/my-tickets")
    assert page.status_code == 200
    token = csrf_of(page.get_data(as_text=True))
    secret = client.get_cookie(SESSION_COOKIE).value
    out = client.post("/portal/logout", data={"csrf_token": token})
    assert out.status_code == 303
    # Ended on the server: the old cookie opens nothing any more.
    client.set_cookie(SESSION_COOKIE, secret)
    assert client.get("/portal/my-tickets").status_code == 303
    assert client.get("/api/session").get_json() == {"signed_in": False}


def test_a_wrong_password_or_unknown_address_answers_the_same(client, people):
    wrong = login(client, password="not the password at all")
    unknown = login(client, email="nobody@acme.example")
    assert wrong.status_code == unknown.status_code == 422
    message = "The e-mail address or the password is not right."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_next_never_leads_off_the_site(client, people):
    response = login(client, next="//evil.example/steal")
    assert response.headers["Location"].startswith("/portal/my-tickets")


def test_sign_in_attempts_are_limited_per_account_with_a_clear_wait(services, client, people):
    limit = services.config.accounts.login_limits.per_account
    for _ in range(limit):
        assert login(client, password="wrong guess number").status_code == 422
    response = login(client)  # Even the right password waits now.
    text = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many sign-in attempts for this account. Try again in 15 minutes." in text
    assert int(response.headers["Retry-After"]) == 900


def test_sign_in_attempts_are_limited_per_address(services, client, people, clock):
    services.config.accounts.login_limits.per_address = 3
    for i in range(3):
        login(client, email=f"someone{i}@acme.example")
    clock.move(minutes=5)
    response = login(client)
    assert response.status_code == 429
    assert "for this address. Try again in 10 minutes." in response.get_data(as_text=True)


def test_a_password_reset_link_sets_a_new_password_and_ends_other_sessions(
        services, client, app, outbox, people):
    other = app.test_client()
    sign_in_as(services, other, ANN)
    assert other.get("/portal/my-tickets").status_code == 200
    page = client.get("/portal/password-reset")
    response = client.post("/portal/password-reset", data={
        "email": ANN, "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    path = link_in(outbox.messages()[-1], "password-reset")
    form = client.get(path)
    new = "violet harbour cinnamon 77"
    done = client.post(path, data={"password": new, "password_again": new,
                                   "csrf_token": csrf_of(form.get_data(as_text=True))})
    assert done.status_code == 303
    assert client.get("/portal/my-tickets").status_code == 200
    assert other.get("/portal/my-tickets").status_code == 303  # Signed out everywhere else.
    assert client.get(path).status_code == 404


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, outbox, people):
    sent = len(outbox.messages())
    page = client.get("/portal/password-reset")
    response = client.post("/portal/password-reset", data={
        "email": "nobody@acme.example", "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    assert len(outbox.messages()) == sent


def test_forms_before_signing_in_need_their_cookie_token(client, people):
    client.get("/portal/login")
    response = client.post("/portal/login", data={"email": ANN, "password": PASSWORD,
                                                  "csrf_token": "forged"})
    assert response.status_code == 403
    assert client.get_cookie(SESSION_COOKIE) is None


def test_every_change_with_a_session_needs_its_csrf_token(services, client, people):
    from tests.api.conftest import VALID

    receipt = client.post("/api/tickets", json={**VALID, "email": ANN}).get_json()
    token = sign_in_as(services, client, ANN)
    number = receipt["number"]
    refused = client.post(f"/api/tickets/{number}/messages", json={"body": "forged"})
    assert refused.status_code == 403 and refused.get_json()["type"] == "/api/problems/csrf"
    page = client.post(f"/portal/tickets/{number}/messages", data={"body": "forged"})
    assert page.status_code == 403
    logout = client.post("/portal/logout")
    assert logout.status_code == 403
    assert [m.body for m in services.store.list_messages(number)] == [VALID["description"]]
    ok = client.post(f"/api/tickets/{number}/messages", json={"body": "real"},
                     headers={"X-CSRF-Token": token})
    assert ok.status_code == 201


def test_session_cookies_are_secure_on_https(services, tmp_path):
    from loket.settings import Settings
    from loket.web.app import create_app
    from tests.paths import SITE_CONFIG

    services.base_url = "https://support.example"
    app = create_app(Settings(site_dir=tmp_path / "x", config_dir=SITE_CONFIG), services=services)
    with app.test_request_context():
        from flask import Response

        from loket.web.auth import set_session_cookie

        response = Response()
        set_session_cookie(response, "secret")
        cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-loket_session=secret")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie


def test_sessions_expire(services, client, clock, people):
    sign_in_as(services, client, ANN)
    clock.move(days=services.config.accounts.session_days, seconds=1)
    assert client.get("/api/session").get_json() == {"signed_in": False}
