"""SES verdicts and DMARC: a failing spam or virus scan is refused without a word (no
backscatter) and kept; a reply whose sender fails DMARC is held for an agent instead of
being added as that customer. Realistic mail: tests/fixtures/mail/mail-in-verdicts/."""

from __future__ import annotations

import email
import json
from email import policy

import pytest

from loket.blobs.folder import FolderBlobs
from loket.domain.refused import RefusalKind
from loket.mail.verdicts import Verdicts, verdicts_in_headers, verdicts_in_receipt
from loket.services.mail_in import MailDecision, take_in_mail
from loket.services.refused_mail import take_in_anyway
from tests.api.conftest import ticket_count
from tests.mail.conftest import make_mail
from tests.paths import FIXTURES

VERDICTS = FIXTURES / "mail" / "mail-in-verdicts"
SES_EVENT = FIXTURES / "lambda-events" / "mail-in-verdicts" / "sesEvent.json"
AGENT = "agent@nordwind.example"


def fixture(name: str) -> bytes:
    return (VERDICTS / name).read_bytes()


def headers_of(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


@pytest.fixture
def kept(services, tmp_path):
    services.blobs = FolderBlobs(tmp_path / "blobs", secret_key="test")
    return services


@pytest.mark.parametrize("name, expected", [
    ("ses-inbound-pass.eml", Verdicts("PASS", "PASS", "PASS")),
    ("ses-inbound-spam-fail.eml", Verdicts("FAIL", "PASS", "FAIL")),
    ("ses-inbound-virus-fail.eml", Verdicts("PASS", "FAIL", "NONE")),
    ("ses-inbound-reply-dmarc-fail.eml", Verdicts("PASS", "PASS", "FAIL")),
    ("gmail-received-dmarc-pass.eml", Verdicts("", "", "PASS")),
])
def test_verdicts_are_read_from_the_receiving_servers_headers(name, expected):
    assert verdicts_in_headers(headers_of(fixture(name))) == expected


def test_only_the_topmost_authentication_results_counts():
    # A sender can write any header; the receiving server's own is added on top.
    forged_below = fixture("ses-inbound-reply-dmarc-fail.eml").replace(
        b"MIME-Version: 1.0", b"Authentication-Results: amazonses.com; dmarc=pass\r\n"
                              b"MIME-Version: 1.0")
    assert verdicts_in_headers(headers_of(forged_below)).dmarc_failed
    no_verdicts = make_mail(headers={"Authentication-Results": "mx.example; spf=pass"})
    assert verdicts_in_headers(headers_of(no_verdicts)) == Verdicts()


def test_verdicts_of_an_ses_receipt():
    receipt = json.loads(SES_EVENT.read_text())["Records"][0]["ses"]["receipt"]
    assert verdicts_in_receipt(receipt) == Verdicts("PASS", "PASS", "PASS")
    receipt["spamVerdict"]["status"] = "FAIL"
    assert verdicts_in_receipt(receipt).spam_failed
    assert verdicts_in_receipt({}) == Verdicts()


def test_passing_mail_from_ses_makes_a_ticket(kept, outbox):
    decision = take_in_mail(kept, fixture("ses-inbound-pass.eml"))
    assert decision == MailDecision("new-ticket", 10001)
    [message] = kept.store.list_messages(10001)
    assert "error 42" in message.body


@pytest.mark.parametrize("name, kind", [("ses-inbound-spam-fail.eml", RefusalKind.SPAM),
                                        ("ses-inbound-virus-fail.eml", RefusalKind.VIRUS)])
def test_a_failing_scan_is_refused_kept_and_never_answered(kept, outbox, tmp_path, name, kind):
    decision = take_in_mail(kept, fixture(name))
    assert decision.action == "refused" and decision.kind is kind
    assert ticket_count(kept) == 0 and outbox.messages() == []  # No receipt, no notice.
    record = kept.store.get_refused(decision.refused_id)
    assert record.kind is kind and record.raw_key == f"refused/{record.id}.eml"
    # Only the raw mail is kept, in the refused folder: no attachment was stored.
    stored = [p.relative_to(tmp_path / "blobs").parts[0]
              for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert set(stored) == {"refused"}


def test_the_receipts_verdict_counts_over_the_headers(kept, outbox):
    receipt = json.loads(SES_EVENT.read_text())["Records"][0]["ses"]["receipt"]
    receipt["virusVerdict"]["status"] = "FAIL"
    decision = take_in_mail(kept, fixture("ses-inbound-pass.eml"),
                            verdicts=verdicts_in_receipt(receipt))
    assert decision.kind is RefusalKind.VIRUS


def test_a_reply_failing_dmarc_is_held_for_an_agent_and_taken_in_by_one(kept, outbox):
    take_in_mail(kept, fixture("ses-inbound-pass.eml"))      # Ann's ticket 10001
    before = len(outbox.messages())
    held = take_in_mail(kept, fixture("ses-inbound-reply-dmarc-fail.eml"))
    assert held.action == "refused" and held.kind is RefusalKind.DMARC
    assert held.ticket == 10001 and "fails DMARC" in held.reason
    assert len(kept.store.list_messages(10001)) == 1        # Not added as Ann.
    assert len(outbox.messages()) == before                 # Nobody is told.
    record = kept.store.get_refused(held.refused_id)
    assert (record.kind, record.ticket, record.held) == (RefusalKind.DMARC, 10001, True)
    # The agent checks it and takes it in: then it is Ann's reply, once.
    assert take_in_anyway(kept, record.id, agent=AGENT) == MailDecision("reply", 10001)
    assert take_in_anyway(kept, record.id, agent=AGENT).reason.startswith("taken in already")
    messages = kept.store.list_messages(10001)
    assert len(messages) == 2 and "new address" in messages[-1].body


def test_a_real_providers_dmarc_verdict_decides_for_a_reply(kept, outbox):
    original = fixture("gmail-received-dmarc-pass.eml")
    sender = "dummy@example.com"
    take_in_mail(kept, make_mail(sender=sender, subject="Export fails"))
    as_reply = original.replace(b"Subject: original",
                                b"Subject: Re: [#10001] Export fails")
    assert take_in_mail(kept, as_reply) == MailDecision("reply", 10001)
    failing = original.replace(b"dmarc=pass (p=NONE", b"dmarc=fail (p=REJECT").replace(
        b"Subject: original", b"Subject: Re: [#10001] Export fails, again").replace(
        b"Message-Id: <E5CEC0EA", b"Message-Id: <F00")
    assert take_in_mail(kept, failing).kind is RefusalKind.DMARC
    assert len(kept.store.list_messages(10001)) == 2
