"""No stranger can lock an owner out: only failures count, per address and per account
and address, with a slow-down (not a lock) for the account as a whole."""

from __future__ import annotations

import pytest

from loket.domain.errors import SignInThrottled, ValidationFailed
from loket.services.accounts import sign_in
from tests.accounts.conftest import AGENT, ANN, PASSWORD, csrf_of

OWNER_ADDRESS = "198.51.100.7"


def attacker(i: int) -> str:
    return f"203.0.113.{i}"


def guess(services, email=ANN, *, address: str, password="wrong guess number"):
    with pytest.raises(ValidationFailed):
        sign_in(services, email, password, client_address=address)


@pytest.mark.parametrize("email", [ANN, AGENT])
def test_wrong_passwords_from_many_addresses_do_not_stop_the_owner(services, people, email):
    for i in range(60):  # Six times per_account, one guess from each address.
        guess(services, email, address=attacker(i))
    account = sign_in(services, email, PASSWORD, client_address=OWNER_ADDRESS)
    assert account.email == email


def test_an_attacking_address_is_limited_per_account(services, people):
    limit = services.config.accounts.login_limits.per_account
    for _ in range(limit):
        guess(services, address=attacker(1))
    with pytest.raises(SignInThrottled) as caught:
        sign_in(services, ANN, "another wrong guess", client_address=attacker(1))
    assert caught.value.scope == "account"
    # Refused unchecked: even the right password waits at that address, not at the owner's.
    with pytest.raises(SignInThrottled):
        sign_in(services, ANN, PASSWORD, client_address=attacker(1))
    assert sign_in(services, ANN, PASSWORD, client_address=OWNER_ADDRESS).email == ANN


def test_many_addresses_get_one_guess_each_once_the_account_is_under_attack(services, people):
    limit = services.config.accounts.login_limits.per_account
    for i in range(limit + 1):
        guess(services, address=attacker(i))
    # The account has had more than `limit` failures: an address that failed waits...
    with pytest.raises(SignInThrottled) as caught:
        sign_in(services, ANN, "second guess", client_address=attacker(0))
    assert caught.value.scope == "account"
    # ...a new one gets its one guess, and the owner signs in as usual.
    guess(services, address=attacker(99))
    with pytest.raises(SignInThrottled):
        sign_in(services, ANN, "third guess", client_address=attacker(99))
    assert sign_in(services, ANN, PASSWORD, client_address=OWNER_ADDRESS).email == ANN


def test_the_window_ends_the_slow_down(services, people, clock):
    limit = services.config.accounts.login_limits.per_account
    for _ in range(limit):
        guess(services, address=attacker(1))
    clock.move(minutes=services.config.accounts.login_limits.window_minutes)
    guess(services, address=attacker(1))


def test_an_address_is_limited_over_all_accounts(services, people):
    limits = services.config.accounts.login_limits
    for i in range(limits.per_address):
        guess(services, f"nobody{i}@acme.example", address=attacker(5))
    with pytest.raises(SignInThrottled) as caught:
        sign_in(services, ANN, PASSWORD, client_address=attacker(5))
    assert caught.value.scope == "address"
    assert sign_in(services, ANN, PASSWORD, client_address=OWNER_ADDRESS).email == ANN


def test_successful_sign_ins_are_not_counted(services, people):
    limits = services.config.accounts.login_limits
    for _ in range(limits.per_address + limits.per_account + 5):
        assert sign_in(services, ANN, PASSWORD, client_address=OWNER_ADDRESS).email == ANN
    # A full set of failures is still allowed after all those successes.
    for _ in range(limits.per_account):
        guess(services, address=OWNER_ADDRESS)
    with pytest.raises(SignInThrottled):
        sign_in(services, ANN, PASSWORD, client_address=OWNER_ADDRESS)


def test_the_sign_in_page_lets_the_owner_in_while_strangers_guess(client, people):
    def post(address: str, password: str):
        environ = {"REMOTE_ADDR": address}
        page = client.get("/portal/login", environ_base=environ)
        return client.post("/portal/login", environ_base=environ, data={
            "email": ANN, "password": password,
            "csrf_token": csrf_of(page.get_data(as_text=True))})

    for i in range(12):
        assert post(attacker(i), "wrong guess number").status_code == 422
    assert post(attacker(0), "wrong guess number").status_code == 429
    assert post(OWNER_ADDRESS, PASSWORD).status_code == 303
