"""The parser over every real-world e-mail in the corpus: it never raises, and each
message is either read (sender and text) or refused with a reason."""

from __future__ import annotations

import random

import pytest

from loket.mail.inbound import read_mail
from tests.mail.conftest import MAIL_CORPUS, SUPPORT, corpus_messages

MESSAGES = corpus_messages()


def name_of(path) -> str:
    return str(path.relative_to(MAIL_CORPUS))


def test_the_corpus_is_there():
    # The corpus is in tests/fixtures/; an empty list would test nothing.
    assert len(MESSAGES) > 200


@pytest.mark.parametrize("path", MESSAGES, ids=name_of)
def test_every_message_is_read_or_refused_with_a_reason(path):
    mail = read_mail(path.read_bytes(), own_addresses=[SUPPORT])
    if mail.refused:
        assert mail.refused.strip()
        # The safety net for parser failures is never what decides about real mail.
        assert not mail.refused.startswith("unreadable"), mail.refused
    else:
        local, _, domain = mail.sender.rpartition("@")
        assert local and "." in domain
        assert isinstance(mail.text, str) and isinstance(mail.reply_text, str)
        assert "\x00" not in mail.text
        assert len(mail.reply_text) <= len(mail.text)


BOUNCES_AND_AUTO_REPLIES = [p for p in MESSAGES if
                            (name_of(p).startswith("sisimai/") and "/not/" not in name_of(p))
                            or "multipart_report_emails" in name_of(p)]


@pytest.mark.parametrize("path", BOUNCES_AND_AUTO_REPLIES, ids=name_of)
def test_every_bounce_and_auto_reply_is_refused(path):
    assert read_mail(path.read_bytes()).refused


@pytest.mark.parametrize("path", [p for p in MESSAGES if "sisimai/not/" in name_of(p)],
                         ids=name_of)
def test_mail_that_only_looks_like_a_bounce_is_read(path):
    # is-not-bounce-02 carries a message as an attachment: still a person writing.
    assert read_mail(path.read_bytes()).refused is None


@pytest.mark.parametrize("name", ["talon/standard_replies/gmail.eml",
                                  "talon/standard_replies/apple_mail.eml",
                                  "talon/standard_replies/outlook.eml",
                                  "mikel-mail/plain_emails/raw_email.eml",
                                  "cpython-test_email/msg_07.txt"])
def test_ordinary_mail_from_people_is_read(name):
    mail = read_mail((MAIL_CORPUS / name).read_bytes())
    assert mail.refused is None and mail.text


def test_damaged_copies_of_the_corpus_never_raise():
    """Real mail arrives cut short and bit-flipped too: a seeded sample of damage."""
    rng = random.Random(20261126)
    for path in MESSAGES:
        data = path.read_bytes()
        for _ in range(3):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            mail = read_mail(bytes(damaged[:rng.randint(1, len(damaged))]))
            assert mail.refused or mail.sender


def test_absurdly_deep_nesting_is_refused_as_unreadable():
    head = b"From: ann@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    raw = head + b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n"
                          % (i, i + 1) for i in range(2000))
    assert read_mail(raw).refused.startswith("unreadable")
