"""The mail queue's contract: mail is queued in the same write as the change that
causes it, claimed by one dispatcher at a time, and never lost or dropped silently."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from loket.domain.accounts import OneTimeToken, TokenPurpose
from loket.domain.errors import VersionConflict
from loket.domain.outgoing import MailState, OutgoingMail, Suppression
from loket.domain.tickets import AuthorRole, Message
from tests.contract.test_store_contract import T0, new_ticket
from tests.stores import save_audited

LEASE = timedelta(minutes=5)


def mail(to="ann@example.com", kind="receipt", at=T0, ticket=None, **data) -> OutgoingMail:
    return OutgoingMail(kind=kind, lang="en", to=to, data={"subject": "Hello", **data},
                        created_at=at, message_id=f"<{kind}-{at.timestamp()}@nordwind.example>",
                        ticket=ticket)


def receipt_for(ticket):
    return [mail(ticket=ticket.number, number=ticket.number,
                 message_id=f"<ticket-{ticket.number}@nordwind.example>")]


def test_create_ticket_queues_its_receipt_in_the_same_write(store):
    ticket, created = store.create_ticket(new_ticket(), mails=receipt_for)
    assert created
    [queued] = store.claim_mail(T0, T0 + LEASE)
    assert queued.ticket == ticket.number and queued.data["number"] == ticket.number
    assert queued.state is MailState.PENDING and queued.attempts == 0


def test_a_repeated_submission_queues_nothing_more(store):
    store.create_ticket(new_ticket(), idempotency_key="k1", fingerprint="f", mails=receipt_for)
    _, created = store.create_ticket(new_ticket(), idempotency_key="k1", fingerprint="f",
                                     mails=receipt_for)
    assert not created
    assert len(store.list_mail(pending=True)) == 1


def test_save_ticket_queues_mail_with_the_change(store):
    ticket, _ = store.create_ticket(new_ticket())
    note = Message(author="agent@nordwind.example", role=AuthorRole.AGENT, body="Fixed",
                   created_at=T0)
    save_audited(store, replace(ticket, status="solved"), expected_version=ticket.version,
                      messages=[note], mails=[mail(kind="agent-reply", ticket=ticket.number)])
    save_audited(store, replace(ticket, status="closed"), expected_version=ticket.version + 1,
                      mails=[mail(kind="status-change", ticket=ticket.number,
                                  at=T0 + timedelta(seconds=1))])
    kinds = [m.kind for m in store.claim_mail(T0 + timedelta(seconds=1), T0 + LEASE)]
    assert kinds == ["agent-reply", "status-change"]


def test_a_save_that_loses_its_race_queues_no_mail(store):
    ticket, _ = store.create_ticket(new_ticket())
    with pytest.raises(VersionConflict):
        save_audited(store, replace(ticket, status="solved"), expected_version=ticket.version + 7,
                          mails=[mail(ticket=ticket.number)])
    assert store.list_mail(pending=True) == []


def test_a_one_time_link_and_its_mail_are_stored_together(store):
    token = OneTimeToken(hash="h" * 64, purpose=TokenPurpose.INVITATION,
                         email="ann@example.com", created_at=T0,
                         expires_at=T0 + timedelta(days=3))
    store.create_token(token, mails=[mail(kind="invitation", link="https://x/secret")])
    [queued] = store.list_mail(pending=True)
    assert queued.kind == "invitation" and queued.data["link"] == "https://x/secret"


def test_claim_takes_what_is_due_earliest_first_and_leases_it(store):
    later = mail(at=T0 + timedelta(minutes=2))
    first = mail(at=T0)
    store.enqueue_mail([later, first])
    assert store.claim_mail(T0 - timedelta(seconds=1), T0 + LEASE) == []
    claimed = store.claim_mail(T0 + timedelta(minutes=3), T0 + LEASE)
    assert [m.id for m in claimed] == [first.id, later.id]
    assert all(m.next_attempt_at == T0 + LEASE for m in claimed)
    # Leased: no second dispatcher gets them until the lease ends.
    assert store.claim_mail(T0 + timedelta(minutes=4), T0 + 2 * LEASE) == []
    again = store.claim_mail(T0 + LEASE, T0 + 3 * LEASE)
    assert {m.id for m in again} == {first.id, later.id}


def test_claim_respects_its_limit(store):
    store.enqueue_mail([mail(at=T0 + timedelta(seconds=i)) for i in range(5)])
    assert len(store.claim_mail(T0 + timedelta(minutes=1), T0 + LEASE, limit=2)) == 2
    assert len(store.claim_mail(T0 + timedelta(minutes=1), T0 + LEASE, limit=10)) == 3


def test_sent_mail_leaves_the_queue_and_keeps_its_envelope_but_not_its_data(store):
    queued = mail(link="https://portal/secret")
    store.enqueue_mail([queued])
    [claimed] = store.claim_mail(T0, T0 + LEASE)
    store.update_mail(replace(claimed, state=MailState.SENT, attempts=1, sent_at=T0,
                              next_attempt_at=None))
    assert store.claim_mail(T0 + timedelta(days=1), T0 + timedelta(days=2)) == []
    assert store.list_mail(pending=True) == [] and store.list_mail(pending=False) == []
    kept = store.get_mail(queued.id)
    assert kept.state is MailState.SENT and kept.message_id == queued.message_id
    assert kept.to == "ann@example.com" and kept.sent_at == T0 and kept.data == {}


def test_a_retry_waits_for_its_next_attempt(store):
    store.enqueue_mail([mail()])
    [claimed] = store.claim_mail(T0, T0 + LEASE)
    retry_at = T0 + timedelta(minutes=1)
    store.update_mail(replace(claimed, attempts=1, next_attempt_at=retry_at,
                              last_error="421 try again later"))
    assert store.claim_mail(retry_at - timedelta(seconds=1), T0 + LEASE) == []
    [again] = store.claim_mail(retry_at, retry_at + LEASE)
    assert again.attempts == 1 and again.last_error == "421 try again later"


def test_failed_and_suppressed_mail_stay_visible_newest_first(store):
    older, newer, waiting = mail(at=T0), mail(at=T0 + timedelta(hours=1)), mail()
    store.enqueue_mail([older, newer, waiting])
    store.update_mail(replace(older, state=MailState.FAILED, last_error="550 no such user",
                              next_attempt_at=None))
    store.update_mail(replace(newer, state=MailState.SUPPRESSED, last_error="bounced",
                              next_attempt_at=None))
    assert [m.id for m in store.list_mail(pending=False)] == [newer.id, older.id]
    assert [m.id for m in store.list_mail(pending=True)] == [waiting.id]
    assert store.get_mail(older.id).last_error == "550 no such user"
    # Failed mail is never claimed; a retry puts it back in the queue.
    assert [m.id for m in store.claim_mail(T0 + timedelta(days=1), T0 + timedelta(days=2))] \
        == [waiting.id]
    store.update_mail(replace(older, state=MailState.PENDING, next_attempt_at=T0))
    assert [m.id for m in store.list_mail(pending=False)] == [newer.id]


def test_unknown_mail_is_none(store):
    assert store.get_mail("nope") is None


def test_suppressions_are_found_whatever_the_case_or_display_name(store):
    assert store.get_suppression("bob@example.com") is None
    store.suppress_address(Suppression(address="Bob@Example.com", reason="bounce",
                                       detail="550 5.1.1 user unknown", created_at=T0))
    found = store.get_suppression("Bob <BOB@example.com>")
    assert found.reason == "bounce" and found.detail == "550 5.1.1 user unknown"
    assert found.address == "bob@example.com" and found.created_at == T0
    later = T0 + timedelta(days=1)
    store.suppress_address(Suppression(address="bob@example.com", reason="complaint",
                                       detail="abuse", created_at=later))
    assert store.get_suppression("bob@example.com").reason == "complaint"
