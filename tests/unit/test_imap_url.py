"""LOKET_IMAP_URL: TLS or STARTTLS, percent-encoded credentials, clear errors, and a
target whose repr never shows the password."""

from __future__ import annotations

import pytest

from loket.mail.imap import ImapError, ImapTarget, parse_imap_url


def test_imaps_url_with_an_encoded_user_and_password():
    target = parse_imap_url("imaps://support%40vendor.example:p%40ss%3Aword@imap.vendor.example/"
                            "Support%20Inbox")
    assert target == ImapTarget(host="imap.vendor.example", port=993,
                                user="support@vendor.example", password="p@ss:word",
                                mailbox="Support Inbox", implicit_tls=True)
    assert "p@ss" not in repr(target) and "p%40ss" not in repr(target)


def test_imap_url_means_starttls_on_143_and_inbox_by_default():
    target = parse_imap_url("imap://ann:secret@localhost")
    assert (target.port, target.implicit_tls, target.mailbox) == (143, False, "INBOX")
    assert parse_imap_url("imap://ann:secret@localhost:1143/").port == 1143


@pytest.mark.parametrize("url, says", [
    ("pop3://ann:secret@host/INBOX", "imaps://"),
    ("https://host/INBOX", "imaps://"),
    ("imaps://host/INBOX", "needs a user and a host"),
    ("imaps://ann:secret@/INBOX", "needs a user and a host"),
    ("imaps://ann:secret@host:99999/INBOX", "port"),
    ("imaps://ann:secret@host:abc/INBOX", "port"),
])
def test_bad_urls_say_what_is_wrong(url, says):
    with pytest.raises(ImapError, match=says) as caught:
        parse_imap_url(url)
    assert "LOKET_IMAP_URL" in str(caught.value) and "secret" not in str(caught.value)
