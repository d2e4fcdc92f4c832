"""An admin's retry of a failed mail (services/mail_dispatch.retry_mail: `loket mail
retry`, the desk's outgoing-mail page) with an erasure between its read of the mail and
its write, on SQLite and DynamoDB: the mail is queued again and nothing the erasure
removed comes back. The store writes only the retry's fields (state, next attempt, give-up
clock), and only while the mail is as read; a mail deleted or sent meanwhile is refused
plainly, one that changed otherwise is read again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest

from loket.domain.errors import Refused
from loket.domain.outgoing import MailState
from loket.services.erase import erase_person
from loket.services.mail_dispatch import retry_mail
from loket.storage.data_port import data_port
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_mail_outcome_after_erasure_contract import (names_the_person,
                                                                     notice_to_bob)
from tests.contract.test_mail_queue_contract import LEASE, T0
from tests.sample_data import PERSON, fill

RETRY_AT = T0 + timedelta(hours=1)


def failed(store, mail):
    """`mail` queued, claimed and failed for good, as an admin finds it."""
    store.enqueue_mail([mail])
    [claimed] = [m for m in store.claim_mail(T0, T0 + LEASE) if m.id == mail.id]
    store.update_mails([replace(claimed, state=MailState.FAILED, attempts=1,
                                next_attempt_at=None, last_error="550 no such user")],
                       claimed_until=T0 + LEASE)


def services_with(store, between):
    """Services whose store runs `between()` once, right after retry_mail's first read
    of the mail (the store's other methods are the store's own)."""
    pending = [between]

    class Store:
        def __getattr__(self, name):
            return getattr(store, name)

        def get_mail(self, mail_id):
            mail = store.get_mail(mail_id)
            if pending:
                pending.pop()()
            return mail

    return SimpleNamespace(store=Store(), clock=SimpleNamespace(now=lambda: RETRY_AT))


def test_a_retry_after_an_erasure_keeps_the_erasure(store, blobs):  # noqa: F811
    fill(store)
    failed(store, notice_to_bob())
    erase = lambda: erase_person(store, data_port(store), blobs, PERSON)  # noqa: E731
    retry_mail(services_with(store, erase), "notice-1")
    after = store.get_mail("notice-1")
    assert (after.state, after.next_attempt_at, after.since, after.attempts) == \
        (MailState.PENDING, RETRY_AT, RETRY_AT, 1)
    assert not names_the_person(after)
    assert after.to == "bob@example.com"
    assert "notice-1" in [m.id for m in store.claim_mail(RETRY_AT, RETRY_AT + LEASE)]


def test_mail_to_the_person_erased_meanwhile_is_not_made_again(store, blobs):  # noqa: F811
    fill(store)
    failed(store, replace(notice_to_bob(), to=PERSON, id="to-them"))
    erase = lambda: erase_person(store, data_port(store), blobs, PERSON)  # noqa: E731
    with pytest.raises(Refused) as refused:
        retry_mail(services_with(store, erase), "to-them")
    assert refused.value.kind == "mail-not-found"
    assert store.get_mail("to-them") is None


def test_a_mail_sent_meanwhile_is_refused_and_stays_sent(store):
    failed(store, notice_to_bob())

    def retried_and_sent():  # another admin's retry, then the dispatcher
        store.requeue_mail(store.get_mail("notice-1"), T0 + LEASE)
        [claimed] = store.claim_mail(T0 + LEASE, T0 + 2 * LEASE)
        store.update_mails([replace(claimed, state=MailState.SENT, attempts=2, sent_at=T0,
                                    next_attempt_at=None, last_error="")],
                           claimed_until=T0 + 2 * LEASE)

    with pytest.raises(Refused) as refused:
        retry_mail(services_with(store, retried_and_sent), "notice-1")
    assert refused.value.kind == "mail-sent"
    assert store.get_mail("notice-1").state is MailState.SENT


def test_a_mail_retried_meanwhile_is_read_again(store):
    failed(store, notice_to_bob())
    other = lambda: store.requeue_mail(store.get_mail("notice-1"), T0 + LEASE)  # noqa: E731
    again = retry_mail(services_with(store, other), "notice-1")
    assert (again.state, again.next_attempt_at) == (MailState.PENDING, RETRY_AT)
    after = store.get_mail("notice-1")
    assert (after.state, after.next_attempt_at) == (MailState.PENDING, RETRY_AT)
