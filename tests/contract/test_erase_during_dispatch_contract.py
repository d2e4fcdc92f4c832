"""The dispatcher changes a mail (claims it, sends it, gives up on it) between the
erasure's read of the mail and its write, on SQLite and DynamoDB: the mail keeps the
state the dispatcher gave it (a sent mail is not queued again, a claim is not undone, so
its outcome is stored), and the person's address, name and (with `messages`) words are
gone from it all the same. Notices expanded meanwhile from a record the erasure read, and
a reply added meanwhile to the person's ticket, are not lost to it either. The hook runs
the other writer's step when the erasure has read the record and is deciding what to do
with it, before any of the chunk's writes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from loket.domain.accounts import Account, Role, email_key
from loket.domain.outgoing import MailState
from loket.domain.tickets import AuthorRole, Message
from loket.services.erase import REMOVED_TEXT, erase_chunk, start_erasure
from loket.storage.data_port import data_port
from loket.services.agent_notices import notice_id
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_mail_expansion_after_erasure_contract import (
    notices_of, record_about_the_person)
from tests.contract.test_mail_expansion_contract import done
from tests.contract.test_mail_outcome_after_erasure_contract import (names_the_person,
                                                                     notice_to_bob)
from tests.contract.test_mail_queue_contract import LEASE, T0
from tests.sample_data import PERSON, fill
from tests.stores import save_audited

SUBJECT = "Payroll export drops the March rows"
LATER = T0 + 2 * LEASE


def erase_with(store, blobs, between, *, messages: bool, read: str = "notice-1"):  # noqa: F811
    """Erase the person, running `between()` once, right after the erasure read the
    mail `read`."""
    eraser = start_erasure(store, blobs, PERSON, messages=messages)
    hooked_erasure(store, eraser, between, lambda record: record.get("id") == read)
    return eraser.erasure


def hooked_erasure(store, eraser, between, when) -> None:
    """Run `eraser`'s every chunk, `between()` once, right after the erasure read the
    first record `when` holds for (both stores ask the eraser whether a record names
    the person before writing anything of the chunk)."""
    pending = [between]
    mentions = eraser.mentions

    def hooked(record):
        if pending and when(record):
            pending.pop()()
        return mentions(record)

    eraser.mentions = hooked
    port = data_port(store)
    cursor = erase_chunk(port, eraser, None)
    while cursor is not None:
        cursor = erase_chunk(port, eraser, cursor)
    assert not pending, "the erasure never read the record"


def _number(record) -> int | None:
    """The ticket number of a ticket's record (SQLite) or item (DynamoDB)."""
    if isinstance(record.get("ticket"), dict):
        return int(record["ticket"]["number"])
    return int(record["number"]) if record.get("sk") == "TICKET" else None


def outcome(store, claimed, **fields):
    store.update_mails([replace(claimed, attempts=1, next_attempt_at=None, **fields)],
                       claimed_until=T0 + LEASE)


def claim(store):
    [claimed] = [m for m in store.claim_mail(T0, T0 + LEASE) if m.id == "notice-1"]
    return claimed


def queued(store):
    fill(store)
    notice = notice_to_bob()
    store.enqueue_mail([replace(notice, data={**notice.data, "subject": SUBJECT,
                                              "number": 10001})])


@pytest.mark.parametrize("messages", [False, True])
def test_a_mail_sent_meanwhile_stays_sent(store, blobs, messages):  # noqa: F811
    queued(store)
    sent = lambda: outcome(store, claim(store), state=MailState.SENT,  # noqa: E731
                           sent_at=T0, last_error="")
    erase_with(store, blobs, sent, messages=messages)
    after = store.get_mail("notice-1")
    assert (after.state, after.sent_at, after.attempts) == (MailState.SENT, T0, 1)
    assert after.data == {}  # a sent mail keeps no data
    assert not names_the_person(after)
    assert "notice-1" not in [m.id for m in store.claim_mail(LATER, LATER + LEASE)]


@pytest.mark.parametrize("messages", [False, True])
def test_a_claim_made_meanwhile_holds_and_its_outcome_is_stored(store, blobs,
                                                                messages):  # noqa: F811
    queued(store)
    claims = []
    erase_with(store, blobs, lambda: claims.append(claim(store)), messages=messages)
    during = store.get_mail("notice-1")
    assert during.state is MailState.PENDING and during.next_attempt_at == T0 + LEASE
    assert "notice-1" not in [m.id for m in store.claim_mail(T0, T0 + LEASE)]
    outcome(store, claims[0], state=MailState.SENT, sent_at=T0, last_error="")
    after = store.get_mail("notice-1")
    assert after.state is MailState.SENT and not names_the_person(after)
    assert "notice-1" not in [m.id for m in store.claim_mail(LATER, LATER + LEASE)]


@pytest.mark.parametrize("messages", [False, True])
def test_a_mail_given_up_meanwhile_stays_failed_without_their_words(store, blobs,
                                                                    messages):  # noqa: F811
    queued(store)
    failed = lambda: outcome(store, claim(store), state=MailState.FAILED,  # noqa: E731
                             last_error="550 no such user")
    erase_with(store, blobs, failed, messages=messages)
    after = store.get_mail("notice-1")
    assert (after.state, after.last_error) == (MailState.FAILED, "550 no such user")
    assert "notice-1" in [m.id for m in store.list_mail(pending=False)]
    assert not names_the_person(after)
    assert after.data["subject"] == (REMOVED_TEXT if messages else SUBJECT)


# An intent's id as new_mail_id() makes it (time, counter, random).
INTENT_ID = "0001a2b3c4d5e6f7" "0001" "9abc9abc"
AGENTS = ("bob@example.com", "ada@nordwind.example")  # bob is fill()'s agent


def claimed_intent_with_notices(store):
    """The person's agents' notices record, claimed by the dispatcher, and the notice
    per agent (both AGENTS on the board) its expansion would queue."""
    fill(store)
    store.create_account(Account(AGENTS[1], Role.AGENT, T0, products=frozenset({"planner"})))
    store.enqueue_mail([replace(record_about_the_person(), id=INTENT_ID)])
    [claimed] = [m for m in store.claim_mail(T0, T0 + LEASE) if m.id == INTENT_ID]
    return claimed, [replace(n, to=agent, id=notice_id(INTENT_ID, agent))
                     for n, agent in zip(notices_of(claimed), AGENTS)]


@pytest.mark.parametrize("messages", [False, True])
def test_notices_expanded_meanwhile_lose_the_person(store, blobs, messages):  # noqa: F811
    # The dispatcher expands the agents' notices record (queues a notice per agent
    # with its data, marks it done) after the erasure read it and before its write:
    # the notices, which the erasure's read did not see, must not keep the person.
    # (A Scan does not come back to keys it passed: DynamoDB reads them by their ids.)
    claimed, notices = claimed_intent_with_notices(store)
    expand = lambda: store.expand_mail(done(claimed), notices, seen=claimed)  # noqa: E731
    erase_with(store, blobs, expand, messages=messages, read=INTENT_ID)
    assert store.get_mail(INTENT_ID).state is MailState.SENT
    for notice in map(store.get_mail, (n.id for n in notices)):
        assert notice.state is MailState.PENDING and not names_the_person(notice)
        assert (notice.data["text"] == REMOVED_TEXT) is messages


def test_a_notice_to_an_agent_who_left_meanwhile_loses_the_person(store, blobs):  # noqa: F811
    # As above, and the second agent then leaves the vendor's staff (list_agents: the
    # accounts in no organization) before the erasure looks for the notices: the
    # notice to them must lose the person all the same.
    claimed, notices = claimed_intent_with_notices(store)

    def expand_then_leave():
        store.expand_mail(done(claimed), notices, seen=claimed)
        store.save_account(replace(store.get_account(AGENTS[1]), role=Role.CUSTOMER,
                                   organization="nordwind", products=frozenset()))

    erase_with(store, blobs, expand_then_leave, messages=True, read=INTENT_ID)
    assert [a.email for a in store.list_agents()] == [AGENTS[0]]
    for notice in map(store.get_mail, (n.id for n in notices)):
        assert notice.state is MailState.PENDING and not names_the_person(notice)


def test_a_reply_added_meanwhile_to_their_ticket_stays(store, blobs):  # noqa: F811
    # An agent answers their ticket after the erasure read it: the answer is kept (and
    # the ticket still loses the person), on both stores.
    mine = fill(store)["mine"]
    answer = Message(author="bob@example.com", role=AuthorRole.AGENT, body="Fixed now.",
                     created_at=T0 + timedelta(hours=5))

    def reply():
        ticket = store.get_ticket(mine.number)
        save_audited(store, replace(ticket, updated_at=answer.created_at),
                     expected_version=ticket.version, messages=[answer])

    eraser = start_erasure(store, blobs, PERSON, messages=True)
    hooked_erasure(store, eraser, reply, lambda record: _number(record) == mine.number)
    bodies = [m.body for m in store.list_messages(mine.number)]
    assert "Fixed now." in bodies
    assert store.get_ticket(mine.number).email != PERSON
    assert not any(PERSON in m.author for m in store.list_messages(mine.number))


def test_a_notice_expanded_meanwhile_to_the_person_is_removed(store, blobs):  # noqa: F811
    # The person is also an agent of the board: the notice the expansion queued for
    # them after the erasure read the record goes whole, as mail to them always does
    # (it is not left queued to the erasure's placeholder).
    fill(store)
    store.save_account(replace(store.get_account(email_key(PERSON)), role=Role.AGENT,
                               organization=None, products=frozenset({"planner"})))
    store.enqueue_mail([replace(record_about_the_person(), id=INTENT_ID)])
    [claimed] = [m for m in store.claim_mail(T0, T0 + LEASE) if m.id == INTENT_ID]
    to = (AGENTS[0], PERSON)
    notices = [replace(n, to=agent, id=notice_id(INTENT_ID, agent))
               for n, agent in zip(notices_of(claimed), to)]
    expand = lambda: store.expand_mail(done(claimed), notices, seen=claimed)  # noqa: E731
    erase_with(store, blobs, expand, messages=False, read=INTENT_ID)
    assert store.get_mail(notices[1].id) is None
    assert not names_the_person(store.get_mail(notices[0].id))
