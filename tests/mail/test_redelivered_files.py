"""A mail delivered twice (SES retries, an MTA that lost our answer, `mail-import` run
again) leaves no file behind that no message names."""

from __future__ import annotations

import pytest

from loket.blobs.folder import FolderBlobs
from loket.services.mail_in import take_in_mail
from tests.mail.conftest import corpus_mail

# A real mail with a PNG and a forwarded message.
MAIL = "mikel-mail/attachment_emails/attachment_message_rfc822_inline_image.eml"


@pytest.fixture
def services(services, tmp_path):
    services.blobs = FolderBlobs(tmp_path / "blobs", secret_key="test-secret")
    return services


def stored_blobs(services) -> set[str]:
    return {b.key for prefix in ("attachments/", "thumbnails/")
            for b in services.blobs.list_blobs(prefix)}


def named_blobs(services, number: int) -> set[str]:
    return {key for m in services.store.list_messages(number) for a in m.attachments
            for key in (a.key, a.thumbnail_key) if key}


def as_reply(raw: bytes, number: int) -> bytes:
    """The same mail sent again as an answer on ticket `number`, with its own Message-Id."""
    reply = raw.replace(b"Subject: test\r\n", f"Subject: Re: [#{number}] test\r\n".encode(), 1)
    reply = reply.replace(b"Message-Id: <9169D984", b"Message-Id: <reply-9169D984", 1)
    assert reply.count(b"[#") == 1 and b"<reply-" in reply
    return reply


def test_a_new_ticket_mail_delivered_twice_stores_its_files_once(services):
    raw = corpus_mail(MAIL)
    first = take_in_mail(services, raw)
    again = take_in_mail(services, raw)
    assert again.ticket == first.ticket and "re-delivered" in again.reason
    named = named_blobs(services, first.ticket)
    assert len(named) == 3  # the PNG, its thumbnail and the forwarded .eml
    assert stored_blobs(services) == named


def test_a_reply_delivered_twice_stores_its_files_once(services):
    first = take_in_mail(services, corpus_mail(MAIL))
    reply = as_reply(corpus_mail(MAIL), first.ticket)
    assert take_in_mail(services, reply).action == "reply"
    again = take_in_mail(services, reply)
    assert (again.action, again.ticket) == ("reply", first.ticket)
    assert "re-delivered" in again.reason
    assert len(services.store.list_messages(first.ticket)) == 2
    assert stored_blobs(services) == named_blobs(services, first.ticket)
    assert len(stored_blobs(services)) == 6
