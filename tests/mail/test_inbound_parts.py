"""What the parser takes from a message: charsets, attachments, headers, odd MIME."""

from __future__ import annotations

from loket.mail.inbound import read_mail
from tests.mail.conftest import corpus_mail, make_mail


def test_iso_2022_jp_body_and_encoded_subject():
    mail = read_mail(corpus_mail("mikel-mail/multi_charset/japanese_iso_2022.eml"))
    assert mail.subject == "まみむめも"
    assert mail.text == "すみません。"


def test_shift_jis_body_in_8bit():
    mail = read_mail(corpus_mail("mikel-mail/multi_charset/japanese_shift_jis.eml"))
    assert mail.text.startswith("あいうえお")
    assert "今後ともよろしくお願い申し上げます！" in mail.text


def test_encoded_attachment_name_and_signature_dropped_from_the_reply():
    mail = read_mail(corpus_mail("mikel-mail/multi_charset/japanese_attachment.eml"))
    assert [(a.name, a.content_type, a.size) for a in mail.attachments] == [
        ("てすと.txt", "text/plain", 33)]
    assert mail.reply_text == "testing\n\n[attachment: てすと.txt (text/plain, 33 bytes)]"
    assert "lindsaar.net" in mail.text  # The whole text keeps the signature.


def test_korean_declared_as_ks_c_5601():
    mail = read_mail(corpus_mail("mikel-mail/plain_emails/raw_email.eml"))
    assert "제 이름은 Jamis입니다." in mail.text


def test_raw_8bit_subject_in_windows_1252():
    mail = read_mail(corpus_mail("mikel-mail/error_emails/invalid_subject_characters.eml"))
    assert mail.subject.startswith("Formação FrenetikPolis")


def test_rfc_6532_utf8_headers():
    mail = read_mail(corpus_mail("mikel-mail/rfc6532/utf8_headers.eml"))
    assert mail.sender == "jdöe@mächine.example" and mail.subject == "Säying Hello"


def test_attachment_names_the_parser_cuts_short_are_read_whole():
    unquoted = read_mail(corpus_mail("mikel-mail/attachment_emails/"
                                     "attachment_with_unquoted_name.eml"))
    encoded = read_mail(corpus_mail("mikel-mail/attachment_emails/"
                                    "attachment_with_base64_encoded_name.eml"))
    assert [a.name for a in unquoted.attachments] == ["This is a test.txt"]
    assert [a.name for a in encoded.attachments] == ["This is a test.pdf"]


def test_attachments_are_listed_in_the_text_with_type_and_size():
    mail = read_mail(corpus_mail("cpython-test_email/msg_07.txt"))
    assert mail.text == ("Hi there,\n\nThis is the dingus fish.\n\n"
                         "[attachment: dingusfish.gif (image/gif, 3.4 kB)]")


def test_an_attached_message_is_one_attachment_not_read_inside():
    mail = read_mail(corpus_mail("sisimai/not/is-not-bounce-02.eml"))
    assert mail.refused is None
    assert [(a.name, a.content_type) for a in mail.attachments] == [
        ("original.eml", "message/rfc822")]


def test_only_an_attachment():
    mail = read_mail(corpus_mail("mikel-mail/attachment_emails/attachment_only_email.eml"))
    assert mail.text == "[attachment: blah.gz (application/x-gzip, 288 bytes)]"


def test_html_only_mail_is_converted_to_text():
    mail = read_mail(corpus_mail("loket/html-only-base64.eml"))  # base64 HTML, no text part
    assert mail.text.startswith("Dear support team,\n\nsince the update")
    assert "<" not in mail.text


def test_html_reply_from_lotus_notes_loses_its_history():
    # Its history is a header table (Von:, An:, Datum:) in a Domino section.
    mail = read_mail(corpus_mail("loket/lotus-domino-html-reply.eml"))
    assert mail.reply_text.startswith("Hallo.\nJetzt muss ich den Termin morgen leider absagen")
    assert "Installation von" not in mail.reply_text and "Installation von" in mail.text


def test_missing_body_and_crlf_cr_line_endings():
    assert read_mail(corpus_mail("mikel-mail/error_emails/missing_body.eml")).text == ""
    unix = read_mail(corpus_mail("sisimai/bsd/rfc3834-01.eml"))
    for variant in ("sisimai/dos/rfc3834-01.eml", "sisimai/mac/rfc3834-01.eml"):
        assert read_mail(corpus_mail(variant)).refused == unix.refused


def test_sender_from_broken_from_syntax():
    mail = read_mail(corpus_mail("mikel-mail/plain_emails/mix_caps_content_type.eml"))
    assert mail.sender == "bb@bug.com"


def test_references_recipients_and_language_headers():
    raw = make_mail(to="Support <support+payroll@nordwind.example>", headers={
        "Cc": "Bob <bob@example.com>", "In-Reply-To": "<ticket-10001@nordwind.example>",
        "References": "<a@x.example> <ticket-10001@nordwind.example>",
        "Content-Language": "nl-NL"}, message_id="<m1@client.example>")
    mail = read_mail(raw)
    assert mail.message_id == "<m1@client.example>"
    assert mail.references == ("<ticket-10001@nordwind.example>", "<a@x.example>")
    assert mail.recipients == ("support+payroll@nordwind.example", "bob@example.com")
    assert mail.content_language == "nl-nl"


def test_garbage_is_refused_not_raised():
    for raw in (b"", b"\x00\xff\xfe", b"not a mail at all", b"From: \r\n\r\n",
                b"Content-Type: multipart/mixed; boundary=x\r\nFrom: a@b.example\r\n\r\n--x"):
        mail = read_mail(raw)
        assert mail.refused or mail.sender == "a@b.example"
