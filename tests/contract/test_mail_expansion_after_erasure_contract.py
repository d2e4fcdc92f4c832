"""An erasure between the dispatcher's claim of a record that stands for the agents'
new-ticket notices (kind 'agent-notices', services/agent_notices.py) and its expansion
(store.expand_mail), on SQLite and DynamoDB. The record's data names the customer (their
address, the subject, the description), and the notices copy it: the erasure rewrites
the record, so the expansion is stored only while the record is as claimed, and the
dispatcher expands what the erasure left. Notices that wait still with the old data (put
by an expansion the erasure overtook) are rewritten by the next expansion."""

from __future__ import annotations

from dataclasses import replace

from loket.domain.outgoing import MailState, OutgoingMail
from loket.services.erase import erase_person
from loket.storage.data_port import data_port
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_mail_expansion_contract import done
from tests.contract.test_mail_outcome_after_erasure_contract import names_the_person
from tests.contract.test_mail_queue_contract import LEASE, T0
from tests.sample_data import PERSON, PERSON_NAME, fill

AGENTS = ("ada@nordwind.example", "bo@nordwind.example")


def record_about_the_person() -> OutgoingMail:
    return OutgoingMail(kind="agent-notices", lang="", to="agents of planner",
                        data={"event": "new-ticket", "number": 10001, "product": "planner",
                              "customer": PERSON, "subject": f"{PERSON_NAME[1]}'s export",
                              "text": f"Regards, {' '.join(PERSON_NAME)}"},
                        created_at=T0, message_id="", ticket=10001, id="record-1")


def notices_of(record: OutgoingMail) -> list[OutgoingMail]:
    """What the dispatcher makes of `record`: its data, to each agent."""
    return [OutgoingMail(kind="agent-notice", lang="en", to=to, data=dict(record.data),
                         created_at=record.created_at, message_id=f"<agent-{n}@nordwind>",
                         ticket=record.ticket, id=f"notice-{n}")
            for n, to in enumerate(AGENTS)]


def claimed_then_erased(store, blobs) -> OutgoingMail:  # noqa: F811
    fill(store)
    store.enqueue_mail([record_about_the_person()])
    [claimed] = [m for m in store.claim_mail(T0, T0 + LEASE) if m.id == "record-1"]
    erase_person(store, data_port(store), blobs, PERSON)
    return claimed


def queued_notices(store) -> list[OutgoingMail]:
    return [m for m in map(store.get_mail, ("notice-0", "notice-1")) if m is not None]


def test_an_expansion_of_the_record_as_claimed_before_an_erasure_is_refused(store, blobs):  # noqa: F811
    claimed = claimed_then_erased(store, blobs)
    assert store.expand_mail(done(claimed), notices_of(claimed), seen=claimed) is False
    assert queued_notices(store) == []
    stored = store.get_mail("record-1")
    assert stored.state is MailState.PENDING and not names_the_person(stored)


def test_the_record_as_the_erasure_left_it_expands_without_the_person(store, blobs):  # noqa: F811
    claimed = claimed_then_erased(store, blobs)
    store.expand_mail(done(claimed), notices_of(claimed), seen=claimed)
    stored = store.get_mail("record-1")
    assert store.expand_mail(done(stored), notices_of(stored), seen=stored) is True
    notices = queued_notices(store)
    assert [m.to for m in notices] == list(AGENTS)
    assert not any(names_the_person(m) for m in notices)
    assert store.get_mail("record-1").state is MailState.SENT


def test_an_expansion_is_stored_while_the_record_is_as_claimed(store):
    store.enqueue_mail([record_about_the_person()])
    [claimed] = store.claim_mail(T0, T0 + LEASE)
    assert store.expand_mail(done(claimed), notices_of(claimed), seen=claimed) is True
    assert [m.data for m in queued_notices(store)] == [claimed.data] * 2
    # A late copy of the same claim (at least once) queues nothing more.
    assert store.expand_mail(done(claimed), notices_of(claimed), seen=claimed) is False
    assert len(queued_notices(store)) == 2


def test_notices_overtaken_by_the_erasure_are_rewritten_by_the_next_expansion(store, blobs):  # noqa: F811
    claimed = claimed_then_erased(store, blobs)
    # An expansion of the claimed record put its notices after the erasure read the
    # queue (the erasure rewrote the record, not them), and one was sent already.
    stale = notices_of(claimed)
    store.enqueue_mail(stale)
    [first] = [m for m in store.claim_mail(T0, T0 + LEASE) if m.id == "notice-0"]
    store.update_mails([replace(first, state=MailState.SENT, attempts=1, sent_at=T0,
                                next_attempt_at=None)], claimed_until=T0 + LEASE)
    assert store.expand_mail(done(claimed), stale, seen=claimed) is False
    stored = store.get_mail("record-1")
    assert store.expand_mail(done(stored), notices_of(stored), seen=stored) is True
    waiting = store.get_mail("notice-1")
    assert waiting.state is MailState.PENDING and not names_the_person(waiting)
    assert store.get_mail("notice-0").state is MailState.SENT
