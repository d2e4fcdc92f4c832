"""Mail that must make no ticket, no reply and no receipt: auto-replies, bounces, our
own mail, mail with no one to answer. Answering them is how mail loops start."""

from __future__ import annotations

import pytest

from loket.mail.inbound import read_mail
from tests.mail.conftest import SUPPORT, corpus_mail, make_mail

OUT_OF_OFFICE = ("I am out of the office until 30 November with limited access to e-mail.\n"
                 "For urgent matters please contact my colleague.")


@pytest.mark.parametrize("headers, reason", [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
    ({"Auto-Submitted": "auto-generated; owner-email=x@example.com"},
     "Auto-Submitted: auto-generated"),
    ({"X-Autoreply": "yes"}, "X-Autoreply"),
    ({"X-Autorespond": "Out of office"}, "X-Autorespond"),
    ({"Precedence": "bulk"}, "Precedence: bulk"),
    ({"Precedence": "junk"}, "Precedence: junk"),
    ({"Precedence": "list"}, "Precedence: list"),
    ({"Precedence": "auto_reply"}, "Precedence: auto_reply"),
    ({"X-Auto-Response-Suppress": "All"}, "X-Auto-Response-Suppress: All"),
    ({"Return-Path": "<>"}, "empty Return-Path"),
], ids=lambda v: str(v))
def test_out_of_office_and_automatic_mail_is_refused(headers, reason):
    mail = read_mail(make_mail(subject="Out of office", body=OUT_OF_OFFICE, headers=headers))
    assert mail.refused and reason in mail.refused


@pytest.mark.parametrize("subject", ["Automatic reply: Export to Excel fails",
                                     "Automatisch antwoord: [#10001] Export mislukt",
                                     "Out of Office: Export", "Auto reply: Nyaan",
                                     "Undeliverable: Export", "Onbestelbaar: Export"])
def test_auto_reply_and_bounce_subjects_without_headers(subject):
    assert read_mail(make_mail(subject=subject, body=OUT_OF_OFFICE)).refused


def test_a_forwarded_bounce_is_a_customer_asking_for_help():
    assert read_mail(make_mail(subject="Fwd: Undeliverable: invoice")).refused is None


def test_auto_submitted_no_is_a_person():
    assert read_mail(make_mail(headers={"Auto-Submitted": "no"})).refused is None


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.com",
                                    "no-reply@example.com", "noreply@example.com",
                                    "do-not-reply@example.com"])
def test_daemons_and_no_reply_senders(sender):
    assert read_mail(make_mail(sender=sender)).refused


@pytest.mark.parametrize("sender", [SUPPORT, "Support <SUPPORT@nordwind.example>",
                                    "support+planner@nordwind.example"])
def test_mail_from_our_own_address(sender):
    mail = read_mail(make_mail(sender=sender), own_addresses=[SUPPORT])
    assert mail.refused and "our own address" in mail.refused


@pytest.mark.parametrize("sender", ["", "Mail Delivery Subsystem <MAILER-DAEMON>",
                                    "undisclosed-recipients:;", "<>"])
def test_no_usable_sender(sender):
    mail = read_mail(make_mail(sender=sender) if sender else b"Subject: hi\r\n\r\nbody")
    assert mail.refused and "no usable sender" in mail.refused


@pytest.mark.parametrize("name, reason", [
    ("sisimai/bsd/lhost-amazonses-01.eml", "multipart/report"),
    ("sisimai/bsd/lhost-postfix-01.eml", "Auto-Submitted: auto-replied"),
    ("sisimai/bsd/lhost-qmail-01.eml", "MAILER-DAEMON@"),
    ("sisimai/bsd/lhost-exchange2003-01.eml", "postmaster@"),
    ("sisimai/bsd/rfc3464-09.eml", "message/delivery-status"),
    ("sisimai/bsd/rfc3834-02.eml", "X-Auto-Response-Suppress"),
    ("sisimai/bsd/rfc3834-03.eml", "VACATION"),
    ("sisimai/bsd/lhost-amazonses-09.eml", "no-reply@"),
    ("cpython-test_email/msg_16.txt", "Precedence: bulk"),
])
def test_real_bounces_and_auto_replies(name, reason):
    refused = read_mail(corpus_mail(name)).refused
    assert refused and reason in refused
