"""Files that come by e-mail are stored with the ticket or reply, through the same
checks as the web form; a file the portal does not accept never costs the mail."""

from __future__ import annotations

import io
from dataclasses import replace
from email import message_from_bytes
from email.policy import SMTP, default

import pytest
from PIL import Image

from loket.blobs.folder import FolderBlobs
from loket.domain.attachments import AttachmentLimits
from loket.services.mail_in import take_in_mail
from tests.mail.conftest import corpus_mail, make_mail


@pytest.fixture
def services(services, tmp_path):
    services.blobs = FolderBlobs(tmp_path / "blobs", secret_key="test-secret")
    return services


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "purple").save(out, "PNG")
    return out.getvalue()


def with_files(raw: bytes, *files: tuple[str, bytes, str]) -> bytes:
    msg = message_from_bytes(raw, policy=default)
    for name, content, content_type in files:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=SMTP)


def test_a_new_ticket_by_mail_keeps_its_files_and_notes_the_refused_ones(services, tmp_path):
    picture = png()
    raw = with_files(make_mail(), ("scherm.png", picture, "image/png"),
                     ("setup.exe", b"MZ\x90\x00" + bytes(300), "application/octet-stream"))
    assert take_in_mail(services, raw).action == "new-ticket"
    [message] = services.store.list_messages(10001)
    [attachment] = message.attachments
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "scherm.png", "image/png", len(picture))
    assert (tmp_path / "blobs" / attachment.key).read_bytes() == picture
    assert attachment.thumbnail_key
    assert "[Not kept: 'setup.exe' holds application/x-msdownload, which is not accepted" \
        in message.body


def test_a_reply_by_mail_brings_its_csv(services):
    take_in_mail(services, make_mail())
    ticket = services.store.get_ticket(10001)
    csv = b"id,naam\n1,Jansen\n2,De Vries\n"
    reply = with_files(make_mail(subject="Re: [#10001] Export to Excel fails",
                                 body="Here is the export."), ("export.csv", csv, "text/csv"))
    assert take_in_mail(services, reply).action == "reply"
    last = services.store.list_messages(ticket.number)[-1]
    assert [(a.name, a.content_type, a.size) for a in last.attachments] == [
        ("export.csv", "text/csv", len(csv))]


def test_mail_files_over_the_limits_are_noted_not_kept(services):
    services.config = replace(services.config, attachments=AttachmentLimits(
        max_files_per_message=1, max_file_bytes=10_000, max_bytes_per_ticket=10_000))
    raw = with_files(make_mail(), ("a.txt", b"first file\n", "text/plain"),
                     ("b.txt", b"second file\n", "text/plain"),
                     ("big.txt", b"x" * 10_001, "text/plain"))
    take_in_mail(services, raw)
    [message] = services.store.list_messages(10001)
    assert [a.name for a in message.attachments] == ["a.txt"]
    assert "[Not kept: 'b.txt' is one file too many (at most 1 per message).]" in message.body
    assert "[Not kept: 'big.txt' is too large: 10001 bytes; at most 10000 bytes a file.]" in message.body


def test_a_redelivered_mail_with_files_makes_one_ticket(services):
    raw = with_files(make_mail(message_id="<once@client.example>"),
                     ("scherm.png", png(), "image/png"))
    first, again = take_in_mail(services, raw), take_in_mail(services, raw)
    assert (first.action, again.action) == ("new-ticket", "new-ticket")
    assert "already taken in" in again.reason
    assert services.store.get_ticket(10002) is None


def test_the_corpus_gif_is_stored(services):
    take_in_mail(services, corpus_mail("cpython-test_email/msg_07.txt"))
    [message] = services.store.list_messages(10001)
    assert [(a.name, a.content_type) for a in message.attachments] == [
        ("dingusfish.gif", "image/gif")]
