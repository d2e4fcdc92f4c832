"""An erasure between the dispatcher's claim of a mail and the write of how the attempt
went (store.update_mails), on SQLite and DynamoDB: the outcome is stored, and nothing
the erasure removed comes back. The outcome is written only while the dispatcher's claim
holds: a mail claimed again by another dispatcher after the lease ended keeps the newer
claim (it is sent again: delivery is at least once)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from loket.domain.outgoing import MailState, OutgoingMail
from loket.services.erase import erase_person
from loket.storage.data_port import data_port
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_mail_queue_contract import LEASE, T0
from tests.sample_data import PERSON, PERSON_NAME, fill

RETRY_AT = T0 + timedelta(minutes=10)


def notice_to_bob() -> OutgoingMail:
    """Mail to someone else that names the person: rewritten by an erasure, not removed."""
    return OutgoingMail(kind="agent_new_ticket", lang="en", to="bob@example.com",
                        data={"customer": PERSON, "name": " ".join(PERSON_NAME)},
                        created_at=T0, message_id="<notice@loket>", id="notice-1")


def claimed_then_erased(store, blobs, mail: OutgoingMail) -> OutgoingMail:  # noqa: F811
    """`mail` as the dispatcher claimed it, the person erased after the claim."""
    fill(store)
    store.enqueue_mail([mail])
    [claimed] = [m for m in store.claim_mail(T0, T0 + LEASE) if m.id == mail.id]
    erase_person(store, data_port(store), blobs, PERSON)
    return claimed


def names_the_person(mail: OutgoingMail) -> bool:
    text = f"{mail.to} {mail.data}".casefold()
    return PERSON in text or PERSON_NAME[1].casefold() in text


def test_a_retry_after_an_erasure_keeps_the_erasure(store, blobs):  # noqa: F811
    claimed = claimed_then_erased(store, blobs, notice_to_bob())
    store.update_mails([replace(claimed, attempts=1, next_attempt_at=RETRY_AT,
                                last_error="421 try again later")],
                       claimed_until=T0 + LEASE)
    after = store.get_mail("notice-1")
    assert (after.state, after.attempts, after.next_attempt_at, after.last_error) == \
        (MailState.PENDING, 1, RETRY_AT, "421 try again later")
    assert not names_the_person(after)
    assert [m.id for m in store.claim_mail(RETRY_AT, RETRY_AT + LEASE)
            if m.id == "notice-1"] == ["notice-1"]


def test_a_failure_after_an_erasure_keeps_the_erasure(store, blobs):  # noqa: F811
    claimed = claimed_then_erased(store, blobs, notice_to_bob())
    store.update_mails([replace(claimed, state=MailState.FAILED, attempts=1,
                                next_attempt_at=None, last_error="550 no such user")],
                       claimed_until=T0 + LEASE)
    after = store.get_mail("notice-1")
    assert after.state is MailState.FAILED and after.last_error == "550 no such user"
    assert not names_the_person(after)
    assert "notice-1" in [m.id for m in store.list_mail(pending=False)]


def test_a_sent_mail_after_an_erasure_is_sent_and_keeps_the_erasure(store, blobs):  # noqa: F811
    claimed = claimed_then_erased(store, blobs, notice_to_bob())
    store.update_mails([replace(claimed, state=MailState.SENT, attempts=1, sent_at=T0,
                                next_attempt_at=None, last_error="")],
                       claimed_until=T0 + LEASE)
    after = store.get_mail("notice-1")
    assert after.state is MailState.SENT and after.sent_at == T0
    assert not names_the_person(after)
    assert "notice-1" not in [m.id for m in store.list_mail(pending=True)]


def test_mail_to_the_person_erased_meanwhile_stays_gone(store, blobs):  # noqa: F811
    to_them = replace(notice_to_bob(), to=PERSON, id="to-them")
    claimed = claimed_then_erased(store, blobs, to_them)
    store.update_mails([replace(claimed, attempts=1, next_attempt_at=RETRY_AT,
                                last_error="421 try again later")],
                       claimed_until=T0 + LEASE)
    assert store.get_mail("to-them") is None


def test_an_outcome_after_the_claim_was_lost_is_not_stored(store):
    mail = notice_to_bob()
    store.enqueue_mail([mail])
    [first] = store.claim_mail(T0, T0 + LEASE)
    # The first dispatcher stalls past its lease; another claims the mail and sends it.
    later = T0 + LEASE
    [second] = store.claim_mail(later, later + LEASE)
    store.update_mails([replace(first, state=MailState.FAILED, attempts=1,
                                next_attempt_at=None, last_error="550 no such user")],
                       claimed_until=T0 + LEASE)
    after = store.get_mail(mail.id)
    assert (after.state, after.next_attempt_at) == (MailState.PENDING, later + LEASE)
    store.update_mails([replace(second, state=MailState.SENT, attempts=1, sent_at=later,
                                next_attempt_at=None)], claimed_until=later + LEASE)
    assert store.get_mail(mail.id).state is MailState.SENT
