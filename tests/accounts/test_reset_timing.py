"""A password-reset request answers after the same time whether or not the address has
an account. Time here is the fixed clock: the store and the mail server below "take"
time by moving it, as real ones would, and the answer is padded on the same clock, so
the test measures exactly and never sleeps (bench/reset_timing.py measures real time)."""

from __future__ import annotations

import logging
import statistics
from datetime import timedelta

import pytest

from tests.accounts.conftest import AGENT, ANN, BEA, CARL, csrf_of

STORE_CALL = timedelta(milliseconds=3)
MAIL_SEND = timedelta(milliseconds=120)


class SlowStore:
    """The real store; each call (the mail queue's write too) moves the fixed clock on as a network store would."""

    def __init__(self, store, clock, delay=STORE_CALL):
        self._store, self._clock, self.delay = store, clock, delay

    def __getattr__(self, name):
        found = getattr(self._store, name)
        if not callable(found):
            return found

        def call(*args, **kwargs):
            self._clock.move(seconds=self.delay.total_seconds())
            return found(*args, **kwargs)
        return call


class SlowMail:
    """A mail server that takes its time (when mail is sent in the request)."""

    def __init__(self, mail, clock, delay=MAIL_SEND):
        self._mail, self._clock, self.delay = mail, clock, delay

    def send(self, message):
        self._clock.move(seconds=self.delay.total_seconds())
        self._mail.send(message)


@pytest.fixture
def slow(services, clock, people):
    services.store = SlowStore(services.store, clock)
    services.mail = SlowMail(services.mail, clock)
    return services


def ask(client, email: str):
    page = client.get("/portal/password-reset")
    return client.post("/portal/password-reset", data={
        "email": email, "csrf_token": csrf_of(page.get_data(as_text=True))})


def answer_times(client, clock, addresses: list[str]) -> list[timedelta]:
    times = []
    for email in addresses:
        client.get("/portal/password-reset")  # Its work is not part of the answer.
        started = clock.now()
        response = ask(client, email)
        assert response.status_code == 200
        assert "Check your e-mail" in response.get_data(as_text=True)
        times.append(clock.now() - started)
    return times


def test_known_and_unknown_addresses_answer_after_the_same_time(slow, client, clock, outbox):
    floor = timedelta(milliseconds=slow.config.accounts.password_reset_answer_ms)
    invitations = len(outbox.messages())
    # Each address three times: the reset limit per address asked for.
    known = answer_times(client, clock, [ANN, CARL, BEA, AGENT] * 3)
    unknown = answer_times(client, clock, [f"nobody{i}@acme.example" for i in range(4)] * 3)
    assert len(outbox.messages()) - invitations == 12  # The known addresses really got their links.
    # The page itself (the form token, the reset form's store calls) is the same for
    # both; the reset work, mail included, hides inside the padded time.
    assert statistics.median(known) == statistics.median(unknown)
    assert set(known) == set(unknown) and min(known) >= floor


def test_work_slower_than_the_padding_is_logged_for_the_operator(slow, client, clock, caplog):
    slow.store.delay = timedelta(milliseconds=slow.config.accounts.password_reset_answer_ms)
    with caplog.at_level(logging.WARNING, logger="loket.services.accounts"):
        assert ask(client, ANN).status_code == 200
    assert "password_reset_answer_ms" in caplog.text


def test_the_padding_can_be_turned_off(services, client, clock, people):
    services.config.accounts.password_reset_answer_ms = 0
    started = clock.now()
    assert ask(client, "nobody@acme.example").status_code == 200
    assert clock.now() == started

