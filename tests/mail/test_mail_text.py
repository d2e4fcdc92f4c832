"""Mail-in subjects are cleaned as the web form's are (domain/text.py): no control or
bidi-override characters, and a subject with nothing visible becomes "(no subject)"."""

from __future__ import annotations

import base64

import pytest

from loket.services.mail_in import take_in_mail


def mail_with_subject(subject: str) -> bytes:
    # As an RFC 2047 encoded word: a mail client may put any character there.
    encoded = base64.b64encode(subject.encode("utf-8")).decode("ascii")
    return (b"From: ann@example.com\r\nTo: support@nordwind.example\r\n"
            b"Subject: =?utf-8?b?" + encoded.encode() + b"?=\r\n"
            b"Date: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
            b"Message-ID: <odd-subject@client.example>\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe export shows an error.\r\n")


@pytest.mark.parametrize("subject, stored", [
    ("Export\x1b[2J fails\x07", "Export[2J fails"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),
    ("Cafe\u0301 \u2066menu\u2069", "Caf\u00e9 menu"),
    ("\u200b\u200d\ufeff", "(no subject)"),
])
def test_mail_in_subjects_are_cleaned_like_the_forms(services, subject, stored):
    decision = take_in_mail(services, mail_with_subject(subject))
    assert services.store.get_ticket(decision.ticket).subject == stored
