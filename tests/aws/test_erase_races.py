"""An erasure on DynamoDB (storage/dynamodb_erase.py) racing other writers: between the
Scan page that read an item and the erasure's write of it, someone else changes the
item. The change stays, and the item still ends without the person.

SQLite's chunk reads and writes in one transaction, so it has no such window; these
are DynamoDB's alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from loket.blobs.folder import FolderBlobs
from loket.domain.outgoing import MailState, OutgoingMail
from loket.services.erase import REMOVED_TEXT, erase_person
from loket.storage.data_port import data_port
from loket.storage.dynamodb import _from_item
from tests.contract.test_store_contract import T0
from tests.sample_data import PERSON, PERSON_NAME, fill
from tests.stores import make_store, store_sandbox

WRITES = ("PutItem", "UpdateItem")


@pytest.fixture
def store(tmp_path, monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        yield make_store("dynamodb", tmp_path)


@pytest.fixture
def blobs(tmp_path):
    return FolderBlobs(tmp_path / "blobs", secret_key="test")


def before_the_write_of(store, pk: str, change) -> list[str]:
    """Run `change()` once, just before the first write to partition `pk` that is not
    its own: as another writer would, between the erasure's read and its write."""
    ran: list[str] = []

    def hook(params, model, **_):
        key = params.get("Key") or params.get("Item") or {}
        if model.name in WRITES and not ran and _from_item(key).get("pk") == pk:
            ran.append(model.name)
            change()

    store.client.meta.events.register("provide-client-params.dynamodb", hook)
    return ran


def notice_to_bob() -> OutgoingMail:
    """Mail to someone else that names the person (an agent's notice of their ticket)."""
    return OutgoingMail(kind="agent_new_ticket", lang="en", to="bob@example.com",
                        data={"customer": PERSON, "name": " ".join(PERSON_NAME)},
                        created_at=T0, message_id="<notice@loket>", id="notice-1")


def test_a_dispatchers_attempt_made_meanwhile_is_kept(store, blobs):
    fill(store)
    mail = notice_to_bob()
    store.enqueue_mail([mail])
    attempt = replace(mail, attempts=1, last_error="421 try again later",
                      next_attempt_at=T0 + timedelta(minutes=10))
    ran = before_the_write_of(store, "MAIL#notice-1", lambda: store.update_mail(attempt))
    erase_person(store, data_port(store), blobs, PERSON)
    assert ran
    after = store.get_mail("notice-1")
    assert (after.attempts, after.last_error, after.next_attempt_at) == \
        (1, "421 try again later", T0 + timedelta(minutes=10))
    assert after.state is MailState.PENDING
    assert PERSON not in str(after.data) and PERSON_NAME[1] not in str(after.data)


def test_a_mail_sent_meanwhile_stays_sent(store, blobs):
    fill(store)
    mail = notice_to_bob()
    store.enqueue_mail([mail])
    sent = replace(mail, state=MailState.SENT, attempts=1, sent_at=T0 + timedelta(minutes=1))
    before_the_write_of(store, "MAIL#notice-1", lambda: store.update_mail(sent))
    erase_person(store, data_port(store), blobs, PERSON)
    after = store.get_mail("notice-1")
    assert after.state is MailState.SENT and after.sent_at == T0 + timedelta(minutes=1)
    assert PERSON not in str(after.data)
    assert "notice-1" not in [m.id for m in store.list_mail(pending=True)]


def test_a_reply_written_meanwhile_keeps_its_search_words(store, blobs):
    """The ticket's search words lose the person's removed text; a reply saved between
    the read and the write of the words item keeps the words it added."""
    from loket.domain.tickets import AuthorRole, Message
    from tests.stores import save_audited

    mine = fill(store)["mine"]

    def save(author, role, body, hours):
        ticket = store.get_ticket(mine.number)
        message = Message(author=author, role=role, body=body,
                          created_at=T0 + timedelta(hours=hours))
        save_audited(store, replace(ticket, updated_at=message.created_at),
                     expected_version=ticket.version, messages=[message])

    # Their surname among the words: the words item names them, and is rewritten.
    save(PERSON, AuthorRole.CUSTOMER, f"Regards, {PERSON_NAME[1]}", 4)

    def reply():
        save("bob@example.com", AuthorRole.AGENT, "Zanzibarian workaround attached", 5)

    ran = before_the_write_of(store, f"TICKET#{mine.number}", reply)
    erase_person(store, data_port(store), blobs, PERSON, messages=True)
    assert ran
    words = _from_item(store.client.get_item(
        TableName=store.table_name, ConsistentRead=True,
        Key={"pk": {"S": f"TICKET#{mine.number}"}, "sk": {"S": "WORDS"}})["Item"])["words"]
    assert "zanzibarian" in words
    bodies = [m.body for m in store.list_messages(mine.number)]
    assert "Zanzibarian workaround attached" in bodies and bodies.count(REMOVED_TEXT) == 3
