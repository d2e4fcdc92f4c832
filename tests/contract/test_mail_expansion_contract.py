"""store.expand_mail (and expand_mails, a round of them): a queued record that stands
for other mails (the new-ticket notices to a board's agents, services/agent_notices.py)
is replaced by them, once, on every store. The dispatcher delivers at least once, so an
expansion may come twice: the second queues no mail twice and leaves one sent meanwhile
as it is."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from loket.domain.outgoing import MailState
from tests.contract.test_mail_queue_contract import LEASE, T0, mail


def intent_and_mails():
    intent = mail(to="agents of planner", kind="agent-notices", ticket=10001)
    notices = [replace(mail(to=to, kind="agent-notice", ticket=10001),
                       id=f"{intent.id[:20]}{n:08x}", message_id=f"<agent-{n}@nordwind.example>")
               for n, to in enumerate(("ada@nordwind.example", "bo@nordwind.example"))]
    return intent, notices


def done(intent):
    return replace(intent, state=MailState.SENT, attempts=intent.attempts + 1, sent_at=T0,
                   next_attempt_at=None)


def test_an_expansion_queues_the_mails_and_marks_the_record_done(store):
    intent, notices = intent_and_mails()
    store.enqueue_mail([intent])
    [claimed] = store.claim_mail(T0, T0 + LEASE)
    store.expand_mail(done(claimed), notices)
    assert store.get_mail(intent.id).state is MailState.SENT
    queued = store.claim_mail(T0 + LEASE, T0 + 2 * LEASE)
    assert sorted(m.id for m in queued) == sorted(m.id for m in notices)
    assert {m.message_id for m in queued} == {m.message_id for m in notices}


def test_a_repeated_expansion_queues_nothing_twice(store):
    intent, notices = intent_and_mails()
    store.enqueue_mail([intent])
    [claimed] = store.claim_mail(T0, T0 + LEASE)
    # The first dispatcher queued the first notice and stopped (its lease ran out).
    store.enqueue_mail(notices[:1])
    first = store.claim_mail(T0, T0 + LEASE)
    store.update_mail(replace(first[0], state=MailState.SENT, attempts=1, sent_at=T0,
                              next_attempt_at=None))
    later = T0 + timedelta(minutes=10)
    [again] = store.claim_mail(later, later + LEASE)
    assert again.id == claimed.id
    store.expand_mail(done(again), notices)
    store.expand_mail(done(again), notices)  # and once more
    assert store.get_mail(notices[0].id).state is MailState.SENT  # not queued again
    assert [m.id for m in store.list_mail(pending=True)] == [notices[1].id]
    assert store.get_mail(intent.id).state is MailState.SENT


def test_an_expansion_into_nothing_only_marks_the_record(store):
    intent, _ = intent_and_mails()
    store.enqueue_mail([intent])
    [claimed] = store.claim_mail(T0, T0 + LEASE)
    store.expand_mail(done(claimed), [])
    assert store.get_mail(intent.id).state is MailState.SENT
    assert store.list_mail(pending=True) == [] and store.list_mail(pending=False) == []


def test_a_round_s_expansions_are_stored_together_each_only_while_as_claimed(store):
    # store.expand_mails: the dispatcher's round in one call (one write on SQLite). A
    # record no longer as claimed (here: under another lease, then done already by the
    # round's first expansion of it) is left out, alone.
    store.enqueue_mail([mail(to="agents of planner", kind="agent-notices", ticket=n)
                        for n in (10001, 10002)])
    first, second = store.claim_mail(T0, T0 + LEASE)
    notices = {m.id: [replace(mail(to=f"agent{n}@nordwind.example", kind="agent-notice",
                                   ticket=m.ticket), id=f"{m.id}-{n}") for n in range(2)]
               for m in (first, second)}
    stale = replace(second, next_attempt_at=T0)
    assert store.expand_mails([(done(first), notices[first.id], first),
                               (done(stale), notices[second.id], stale),
                               (done(first), notices[first.id], first)]) == [True, False, False]
    assert store.get_mail(first.id).state is MailState.SENT
    assert store.get_mail(second.id).state is MailState.PENDING
    assert sorted(m.id for m in store.list_mail(pending=True)) == \
        sorted([second.id, *(m.id for m in notices[first.id])])
    assert store.expand_mails([]) == []
