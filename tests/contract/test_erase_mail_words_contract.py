"""An erasure with `messages=True` removes the person's words from mail that waits, on
SQLite and DynamoDB: the subject and description in a queued 'agent-notices' record and
in the agents' notices expanded from it and in the review board's news, the reply a
customer-reply notice quotes (on their ticket or a colleague's), whether the mail is
pending or failed (a sent mail keeps no data); the portal's own words stay. They take the
placeholder text their ticket's messages get. Without `messages` their words stay
(only their address and name go), as in their tickets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from loket.domain.outgoing import MailState, OutgoingMail
from loket.services.erase import REMOVED_TEXT, erase_person
from loket.storage.data_port import data_port
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_mail_queue_contract import LEASE, T0
from tests.sample_data import PERSON, fill

SUBJECT = "Payroll export drops the March rows"
DESCRIPTION = "My salary file from the Rotterdam office is missing three weeks"
REPLY = "Still broken after the update, the Rotterdam rows are gone again"
WORDS = ("Payroll", "Rotterdam", "salary")
OTHERS_SUBJECT = "Invoices print twice"
PORTAL_TEXT = "The first answer is due in 30 minutes"


def _mail(id: str, kind: str, to: str, data: dict) -> OutgoingMail:
    return OutgoingMail(kind=kind, lang="en", to=to, data=data, created_at=T0,
                        message_id=f"<{id}@nordwind>", ticket=10001, id=id)


def queued_about_the_person() -> list[OutgoingMail]:
    facts = {"number": 10001, "product": "planner", "customer": PERSON,
             "subject": SUBJECT}
    return [
        _mail("receipt-1", "receipt", PERSON, {"number": 10001, "subject": SUBJECT,
                                               "suggest_for": {"text": SUBJECT}}),
        # Queued before notices named the text's author: the customer wrote it.
        _mail("record-1", "agent-notices", "agents of planner",
              {**facts, "event": "new-ticket", "text": DESCRIPTION}),
        _mail("notice-1", "agent-notice", "ada@nordwind.example",
              {**facts, "event": "new-ticket", "text": DESCRIPTION, "author": PERSON}),
        _mail("reply-1", "agent-notice", "bo@nordwind.example",
              {**facts, "event": "customer-reply", "text": REPLY, "author": PERSON}),
        _mail("board-1", "review-board", "board@nordwind.example",
              {"number": 10001, "news": "new-ticket", "email": PERSON, "subject": SUBJECT}),
        # Their reply on a colleague's ticket: the reply is theirs, the subject is not.
        _mail("colleague-1", "agent-notice", "bo@nordwind.example",
              {**facts, "customer": "kees@example.org", "subject": OTHERS_SUBJECT,
               "event": "customer-reply", "text": REPLY, "author": PERSON}),
        # The portal's words about their ticket stay.
        _mail("sla-1", "agent-notice", "bo@nordwind.example",
              {**facts, "event": "sla-warning", "text": PORTAL_TEXT, "author": ""}),
    ]


WAITING = ["board-1", "colleague-1", "notice-1", "record-1", "reply-1", "sla-1"]


def queued(store) -> list[OutgoingMail]:
    """The mails above, the customer-reply notice failed for good meanwhile."""
    fill(store)
    store.enqueue_mail(queued_about_the_person())
    [claimed] = [m for m in store.claim_mail(T0, T0 + LEASE) if m.id == "reply-1"]
    store.update_mails([replace(claimed, state=MailState.FAILED, attempts=1,
                                next_attempt_at=None, last_error="550 no such user")],
                       claimed_until=T0 + LEASE)
    assert store.get_mail("reply-1").state is MailState.FAILED
    return queued_about_the_person()


def left(store) -> dict[str, OutgoingMail]:
    return {m.id: stored for m in queued_about_the_person()
            if (stored := store.get_mail(m.id)) is not None}


def holds_their_words(mail: OutgoingMail) -> bool:
    return any(word.casefold() in str(mail.data).casefold() for word in WORDS)


def test_with_messages_waiting_mail_keeps_none_of_their_words(store, blobs):  # noqa: F811
    queued(store)
    erase_person(store, data_port(store), blobs, PERSON, messages=True)
    mails = left(store)
    assert "receipt-1" not in mails  # mail to them goes whole
    assert sorted(mails) == WAITING
    for mail in mails.values():
        assert not holds_their_words(mail), mail
        assert PERSON not in str(mail.data)
    for id in ("record-1", "notice-1", "reply-1"):
        assert mails[id].data["subject"] == mails[id].data["text"] == REMOVED_TEXT
    assert mails["board-1"].data["subject"] == REMOVED_TEXT
    assert mails["colleague-1"].data["subject"] == OTHERS_SUBJECT
    assert mails["colleague-1"].data["text"] == REMOVED_TEXT
    assert mails["sla-1"].data["subject"] == REMOVED_TEXT
    assert mails["sla-1"].data["text"] == PORTAL_TEXT
    assert mails["reply-1"].state is MailState.FAILED
    assert mails["record-1"].state is MailState.PENDING


def test_without_messages_their_words_stay_in_waiting_mail(store, blobs):  # noqa: F811
    queued(store)
    erase_person(store, data_port(store), blobs, PERSON, messages=False)
    mails = left(store)
    assert sorted(mails) == WAITING
    for mail in mails.values():
        assert PERSON not in str(mail.data)
    for id in ("record-1", "notice-1", "reply-1", "board-1"):
        assert mails[id].data["subject"] == SUBJECT
    assert mails["colleague-1"].data["text"] == REPLY
    assert mails["record-1"].data["text"] == DESCRIPTION
    assert mails["reply-1"].data["text"] == REPLY


@pytest.mark.parametrize("messages", [True, False])
def test_a_second_run_changes_nothing_more(store, blobs, messages):  # noqa: F811
    queued(store)
    erase_person(store, data_port(store), blobs, PERSON, messages=messages)
    first = left(store)
    erasure = erase_person(store, data_port(store), blobs, PERSON, messages=messages)
    assert left(store) == first
    assert not erasure.rewritten.get("mail")


def merge_mail(id: str, to: str, data: dict) -> OutgoingMail:
    """A merge mail (services/merging.merged_email): both tickets' subjects, the
    requester's words."""
    return _mail(id, "merged", to, {"vendor": "Nordwind", "number": 10002, "into": 10001,
                                    "subject": f"{SUBJECT} again", "into_subject": SUBJECT,
                                    "lookup_url": "https://support.example/t/10001",
                                    **data})


@pytest.mark.parametrize("messages", [True, False])
def test_merge_mail_loses_their_subjects_with_messages(store, blobs, messages):  # noqa: F811
    # A merge mail goes to the tickets' one requester, so erasing them removes it
    # whole; one that names them and goes elsewhere (data that says whose tickets they
    # are) keeps their subjects only without `messages`, as notices do.
    fill(store)
    store.enqueue_mail([merge_mail("merged-1", PERSON, {"customer": PERSON}),
                        merge_mail("merged-2", "bo@nordwind.example", {"customer": PERSON}),
                        merge_mail("merged-3", "kees@example.org",
                                   {"customer": "kees@example.org",
                                    "subject": f"Asked for {PERSON}"})])
    erase_person(store, data_port(store), blobs, PERSON, messages=messages)
    assert store.get_mail("merged-1") is None
    theirs, others = store.get_mail("merged-2"), store.get_mail("merged-3")
    assert PERSON not in str(theirs.data) and PERSON not in str(others.data)
    words = (theirs.data["subject"], theirs.data["into_subject"])
    assert words == ((REMOVED_TEXT, REMOVED_TEXT) if messages else
                     (f"{SUBJECT} again", SUBJECT))
    assert others.data["into_subject"] == SUBJECT  # kees's words stay, their address not
    assert others.data["subject"].startswith("Asked for erased-")
