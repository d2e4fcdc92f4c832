"""Which blob keys a store's records name: what the clean-up of blobs that nothing
names (services/blob_cleanup.py) must never remove. Both stores, one contract."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from loket.domain.attachments import Attachment, Upload
from loket.domain.tickets import AuthorRole, Message
from tests.contract.test_store_contract import T0, new_ticket
from tests.stores import save_audited


def attachment(file_id: str, *, thumbnail: bool = False) -> Attachment:
    return Attachment(file_id, f"{file_id}.png", "image/png", 3, f"attachments/{file_id}",
                      f"thumbnails/{file_id}.png" if thumbnail else None)


def test_an_empty_store_names_no_blob(store):
    assert store.named_blob_keys() == set()


def test_files_of_first_messages_and_replies_and_their_thumbnails_are_named(store):
    first = attachment("a" * 22, thumbnail=True)
    ticket, _ = store.create_ticket(new_ticket(attachments=(first,)))
    store.create_ticket(new_ticket("No files"))
    later = attachment("b" * 22)
    reply = Message(author="ann@example.com", role=AuthorRole.CUSTOMER, body="Log attached.",
                    created_at=T0 + timedelta(minutes=5), attachments=(later,))
    save_audited(store, replace(ticket, updated_at=reply.created_at),
                      expected_version=ticket.version, messages=[reply])
    assert store.named_blob_keys() == {first.key, first.thumbnail_key, later.key}


def test_an_upload_names_its_final_key_waiting_or_attached(store):
    for upload_id in ("w" * 22, "t" * 22):
        store.create_upload(Upload(id=upload_id, name="a.png", content_type="image/png",
                                   size=3, created_at=T0, expires_at=T0 + timedelta(days=1)))
    store.mark_uploads_attached(["t" * 22], ticket=10001)
    assert store.named_blob_keys() == {f"attachments/{'w' * 22}", f"attachments/{'t' * 22}"}
