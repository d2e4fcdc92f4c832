"""Mail-in's part of the store contract, on SQLite and DynamoDB: a keyed message is
stored once, and refused mail is kept once, listed newest first and taken in once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from loket.domain.errors import MessageAlreadyStored, VersionConflict
from loket.domain.refused import KEEP_REFUSED, RefusalKind, RefusedMail
from loket.domain.tickets import AuthorRole, Message
from tests.contract.test_store_contract import T0, new_ticket
from tests.stores import save_audited


def reply(body="More detail.", key=None, at=T0):
    return Message(author="ann@example.com", role=AuthorRole.CUSTOMER, body=body,
                   created_at=at, idempotency_key=key)


def test_a_keyed_message_saved_twice_is_stored_once(store):
    ticket, _ = store.create_ticket(new_ticket())
    saved = save_audited(store, ticket, expected_version=1, messages=[reply(key="mail:abc")])
    with pytest.raises(MessageAlreadyStored) as caught:
        save_audited(store, saved, expected_version=2, messages=[reply(key="mail:abc")])
    assert caught.value.key == "mail:abc" and caught.value.number == ticket.number
    # Nothing of the second save was written: not the message, not the new version.
    assert store.get_ticket(ticket.number).version == 2
    messages = store.list_messages(ticket.number)
    assert [m.body for m in messages] == ["The export button shows an error.", "More detail."]
    assert messages[-1].idempotency_key == "mail:abc"


def test_a_stale_save_of_a_stored_key_is_refused_and_writes_nothing(store):
    ticket, _ = store.create_ticket(new_ticket())
    save_audited(store, ticket, expected_version=1, messages=[reply(key="k")])
    with pytest.raises((MessageAlreadyStored, VersionConflict)):
        save_audited(store, ticket, expected_version=1, messages=[reply(key="k")])
    assert len(store.list_messages(ticket.number)) == 2


def test_message_keys_belong_to_their_ticket_and_unkeyed_messages_repeat(store):
    a, _ = store.create_ticket(new_ticket())
    b, _ = store.create_ticket(new_ticket())
    save_audited(store, a, expected_version=1, messages=[reply(key="k")])
    save_audited(store, b, expected_version=1, messages=[reply(key="k")])
    a2 = save_audited(store, store.get_ticket(a.number), expected_version=2,
                           messages=[reply("Any news?")])
    save_audited(store, a2, expected_version=3, messages=[reply("Any news?")])
    assert [m.body for m in store.list_messages(a.number)][1:] == [
        "More detail.", "Any news?", "Any news?"]
    assert len(store.list_messages(b.number)) == 2


def refused(refused_id="r1", at=T0, **changes) -> RefusedMail:
    values = dict(id=refused_id, received_at=at, expires_at=at + KEEP_REFUSED,
                  kind=RefusalKind.RATE_LIMITED, reason="more than 20 submissions per hour",
                  sender="ann@example.com", subject="Export fails",
                  message_id="<m1@client.example>", raw_key=f"refused/{refused_id}.eml",
                  size=1234)
    values.update(changes)
    return RefusedMail(**values)


def test_refused_mail_is_kept_once_and_reads_back(store):
    mail = refused()
    assert store.keep_refused(mail) is True
    assert store.keep_refused(replace(mail, reason="again")) is False
    assert store.get_refused("r1") == mail
    assert store.get_refused("nope") is None


def test_refused_mail_without_optional_fields_reads_back(store):
    mail = refused(kind=RefusalKind.UNREADABLE, reason="unreadable", sender="", subject="",
                   message_id="", raw_key=None, size=0)
    store.keep_refused(mail)
    assert store.get_refused("r1") == mail


def test_refused_mail_is_listed_newest_first_in_pages(store):
    for i in range(5):
        store.keep_refused(refused(f"r{i}", at=T0 + timedelta(minutes=i)))
    first = store.list_refused(limit=3)
    assert [m.id for m in first] == ["r4", "r3", "r2"]
    rest = store.list_refused(limit=3, before=first[-1].received_at)
    assert [m.id for m in rest] == ["r1", "r0"]


def test_refused_mail_is_taken_in_once(store):
    store.keep_refused(refused(kind=RefusalKind.DMARC, ticket=10001))
    later = T0 + timedelta(hours=1)
    taken = store.mark_refused_taken_in("r1", ticket=10001, by="agent@nordwind.example",
                                        at=later)
    assert taken is not None and not taken.held
    assert (taken.ticket, taken.taken_in_by, taken.taken_in_at) == (
        10001, "agent@nordwind.example", later)
    assert store.mark_refused_taken_in("r1", ticket=10002, by="b@x.example", at=later) is None
    assert store.get_refused("r1") == taken
    assert store.mark_refused_taken_in("nope", ticket=1, by="a", at=later) is None


def test_the_notice_is_queued_with_the_refused_mail_once(store):
    from loket.mail.compose import letter

    def notice():
        return letter("mail-refused", lang="en", mail_from="support@nordwind.example",
                      to="ann@example.com", created_at=T0, thread_root="<m1@client.example>",
                      data={"vendor": "Nordwind", "subject": "Export fails",
                            "kind": "rate-limited", "portal_url": "http://portal.test/"})

    first = notice()
    assert store.keep_refused(refused(), mails=[first]) is True
    assert store.keep_refused(refused(), mails=[notice()]) is False
    [queued] = store.list_mail(pending=True)
    assert (queued.id, queued.kind, queued.to) == (first.id, "mail-refused", "ann@example.com")
