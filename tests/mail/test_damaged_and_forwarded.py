"""Real mail that mail-in used to refuse or mangle: a header cut short by a broken line
(its From: pushed into the body), and a forwarded message kept with the MIME part
around it, which no mail client opens."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest

from loket.blobs.folder import FolderBlobs
from loket.mail.inbound import mend_header, read_mail
from loket.services.mail_in import take_in_mail
from tests.mail.conftest import MAIL_CORPUS, corpus_mail

# From mikel/mail's fixtures, with the From: line moved below the broken References
# line, as in mail whose MTA put From: last (see tests/fixtures/mail/mail-in-fixes/).
FROM_AFTER_BROKEN_LINE = "mail-in-fixes/broken-references-then-from.eml"
# RFC 2822 Appendix A.6.3 (obsolete syntax): space before the colons, a broken line.
OBSOLETE_HEADER = "mikel-mail/rfc2822/example13.eml"
FORWARD = "mikel-mail/attachment_emails/attachment_message_rfc822_inline_image.eml"


@pytest.fixture
def services(services, tmp_path):
    services.blobs = FolderBlobs(tmp_path / "blobs", secret_key="test-secret")
    return services


def test_a_from_pushed_into_the_body_is_read_from_the_raw_header_lines():
    raw = corpus_mail(FROM_AFTER_BROKEN_LINE)
    # What the parser alone makes of it: the header ends at the broken line.
    assert message_from_bytes(raw, policy=default)["From"] is None
    mail = read_mail(raw)
    assert mail.refused is None
    assert mail.sender == "redacted@flashmail.net"
    assert mail.subject == "Redacted"
    assert mail.text == "foo"  # the body is the body, not the rest of the header
    assert "References" not in mail.text and "From:" not in mail.text


def test_obsolete_header_syntax_is_read_rather_than_refused():
    mail = read_mail(corpus_mail(OBSOLETE_HEADER))
    assert mail.refused is None
    assert (mail.sender, mail.subject) == ("jdoe@machine.example", "Saying Hello")
    assert mail.recipients == ("mary@example.net",)
    assert mail.text.startswith("This is a message just to say hello.")


def test_a_damaged_header_makes_a_ticket_from_its_sender(services):
    decision = take_in_mail(services, corpus_mail(FROM_AFTER_BROKEN_LINE))
    assert decision.action == "new-ticket"
    ticket = services.store.get_ticket(decision.ticket)
    assert (ticket.email, ticket.subject) == ("redacted@flashmail.net", "Redacted")


def test_mending_leaves_the_body_and_good_headers_alone():
    raw = corpus_mail(FROM_AFTER_BROKEN_LINE)
    header, body = raw.split(b"\n\n", 1)
    mended_header, mended_body = mend_header(raw).split(b"\n\n", 1)
    assert mended_body == body
    assert mended_header == header.replace(b"\nsomething@bar.net>", b"\n something@bar.net>")
    intact = corpus_mail("talon/standard_replies/gmail.eml")
    assert mend_header(intact) == intact


def test_a_forwarded_message_is_stored_as_the_message_itself(services, tmp_path):
    raw = corpus_mail(FORWARD)
    decision = take_in_mail(services, raw)
    assert decision.action == "new-ticket"
    [message] = services.store.list_messages(decision.ticket)
    [forwarded] = [a for a in message.attachments if a.name.endswith(".eml")]
    assert forwarded.name == "Testmail.eml"
    assert forwarded.content_type == "message/rfc822"
    stored = (tmp_path / "blobs" / forwarded.key).read_bytes()
    # The forwarded mail's own header comes first: no wrapper part around it.
    assert stored.startswith(b"Return-Path: <xxxx@xxxx.com>\n")
    assert b"Content-Disposition: attachment" not in stored.split(b"\n\n", 1)[0]
    inner = message_from_bytes(stored, policy=default)
    original = message_from_bytes(raw, policy=default)
    [wrapper] = [p for p in original.walk() if p.get_content_type() == "message/rfc822"]
    assert inner["Subject"] == wrapper.get_payload(0)["Subject"]
    assert inner["Message-ID"] == wrapper.get_payload(0)["Message-ID"]
    assert inner["From"] == "Test Tester <xxxx@xxxx.com>"
    assert inner.get_content_type() == "multipart/mixed"


def test_a_forward_is_refused_where_the_portal_takes_no_text_files(services):
    services.config.attachments.allowed_types = ["image/png"]
    decision = take_in_mail(services, corpus_mail(FORWARD))
    [message] = services.store.list_messages(decision.ticket)
    assert [a.name for a in message.attachments] == ["img.png"]
    assert "[Not kept: 'Testmail.eml' holds text/plain" in message.body


def test_the_fixtures_are_in_the_repository():
    for name in (FROM_AFTER_BROKEN_LINE, OBSOLETE_HEADER, FORWARD):
        assert (MAIL_CORPUS / name).is_file()


def test_a_mail_without_the_empty_line_keeps_its_body_as_body():
    # Real replies with the line between header and body taken out: the first line
    # of text is no field and no field follows it (or it is a MIME boundary), so the
    # body starts there, as the parser alone reads it.
    for name in ("talon/standard_replies/gmail.eml", "talon/standard_replies/iphone.eml"):
        raw = corpus_mail(name).replace(b"\r\n", b"\n")
        header, body = raw.split(b"\n\n", 1)
        joined = header + b"\n" + body
        assert mend_header(joined) == joined, name
        mail = read_mail(joined)
        assert mail.refused is None and mail.sender == read_mail(raw).sender
        assert mail.subject == read_mail(raw).subject
