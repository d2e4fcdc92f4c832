"""store.update_mails: the dispatcher stores a batch's outcomes together, on every store,
each as update_mail would (tests/contract/test_mail_outcome_after_erasure_contract.py:
only the attempt's fields, only while the claim holds)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from loket.domain.outgoing import MailState
from tests.contract.test_mail_queue_contract import LEASE, T0, mail


def test_each_mail_s_outcome_is_stored(store):
    sent, retrying, failed = mail(), mail(), mail()
    store.enqueue_mail([sent, retrying, failed])
    claimed = {m.id: m for m in store.claim_mail(T0, T0 + LEASE)}
    retry_at = T0 + timedelta(minutes=1)
    store.update_mails([
        replace(claimed[sent.id], state=MailState.SENT, attempts=1, sent_at=T0,
                next_attempt_at=None),
        replace(claimed[retrying.id], attempts=1, next_attempt_at=retry_at,
                last_error="421 try again later"),
        replace(claimed[failed.id], state=MailState.FAILED, attempts=1, next_attempt_at=None,
                last_error="550 no such user"),
    ], claimed_until=T0 + LEASE)
    assert store.get_mail(sent.id).state is MailState.SENT
    assert [m.id for m in store.list_mail(pending=False)] == [failed.id]
    assert [m.id for m in store.claim_mail(retry_at, retry_at + LEASE)] == [retrying.id]


def test_no_mails_is_no_write(store):
    store.update_mails([], claimed_until=T0 + LEASE)
    assert store.list_mail(pending=True) == []
