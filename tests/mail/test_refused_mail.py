"""Refused mail is kept, never dropped: with its reason and raw mail for agents (who can
take it in anyway), its sender told why at most once a day, never an automatic sender.
And a duplicate is the same Message-ID with the same content, nothing less."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner

from loket.blobs.folder import FolderBlobs
from loket.cli import main
from loket.domain.errors import ValidationFailed
from loket.domain.refused import RefusalKind
from loket.services.mail_in import MailDecision, take_in_mail
from loket.services.refused_mail import refused_raw, take_in_anyway
from tests.api.conftest import ticket_count
from tests.mail.conftest import make_mail
from tests.paths import SITE_CONFIG

AGENT = "agent@nordwind.example"


@pytest.fixture
def kept(services, tmp_path):
    """The mail-in services with a blob store for the raw mail."""
    services.blobs = FolderBlobs(tmp_path / "blobs", secret_key="test")
    return services


def flood(services, count: int, sender="ann@example.com"):
    return [take_in_mail(services, make_mail(sender=sender, subject=f"Question {i}"))
            for i in range(count)]


def notices(outbox, to="ann@example.com"):
    return [m for m in outbox.messages()
            if m["To"] == to and "not taken in" in m["Subject"]]


def test_mail_over_the_hourly_limit_is_kept_with_its_reason_and_raw_mail(kept, outbox):
    limit = kept.config.submissions.per_hour
    *_, over = flood(kept, limit + 1)
    assert over.action == "refused" and over.kind is RefusalKind.RATE_LIMITED
    record = kept.store.get_refused(over.refused_id)
    assert record.held and record.reason == over.reason
    assert (record.sender, record.subject) == ("ann@example.com", f"Question {limit}")
    assert b"Subject: Question 20" in refused_raw(kept, record)
    assert record.expires_at - record.received_at == timedelta(days=30)
    assert kept.store.list_refused() == [record]


def test_the_sender_is_told_once_a_day_in_the_thread_of_their_mail(kept, outbox, clock):
    limit = kept.config.submissions.per_hour
    decisions = flood(kept, limit + 3)
    [notice] = notices(outbox)
    first_refused = decisions[limit]
    raw = refused_raw(kept, kept.store.get_refused(first_refused.refused_id))
    assert notice["In-Reply-To"] in raw.decode()
    assert notice["Auto-Submitted"] == "auto-generated"  # Their auto-reply must not answer.
    assert "more e-mails in a short time" in notice.get_body(("plain",)).get_content()
    assert len(kept.store.list_refused()) == 3  # Every refused mail is kept.
    clock.move(days=1)
    flood(kept, limit + 1)
    assert len(notices(outbox)) == 2


def test_a_redelivered_refused_mail_is_kept_and_told_once(kept, outbox):
    flood(kept, kept.config.submissions.per_hour)
    mail = make_mail(subject="One too many", message_id="<over@client.example>")
    first, again = take_in_mail(kept, mail), take_in_mail(kept, mail)
    assert first.refused_id == again.refused_id
    assert len(kept.store.list_refused()) == 1 and len(notices(outbox)) == 1


@pytest.mark.parametrize("headers", [
    {"List-Id": "<users.lists.example.org>"},
    {"List-Unsubscribe": "<mailto:leave@lists.example.org>"},
])
def test_mailing_list_mail_is_kept_but_never_answered(kept, outbox, headers):
    flood(kept, kept.config.submissions.per_hour)
    decision = take_in_mail(kept, make_mail(subject="Digest", headers=headers))
    assert decision.kind is RefusalKind.RATE_LIMITED
    assert notices(outbox) == []


def test_automatic_mail_is_kept_and_never_answered(kept, outbox):
    decision = take_in_mail(kept, make_mail(subject="Out of office",
                                            headers={"Auto-Submitted": "auto-replied"}))
    assert decision.kind is RefusalKind.AUTOMATIC
    assert kept.store.get_refused(decision.refused_id).reason.startswith("automatic message")
    assert outbox.messages() == []


def test_unreadable_mail_is_kept_and_cannot_be_taken_in(kept, outbox, monkeypatch):
    from loket.mail import inbound

    def broken(msg):
        raise ValueError("the parser gave up")

    monkeypatch.setattr(inbound, "_read_headers", broken)
    decision = take_in_mail(kept, b"\x00\xff not a mail")
    assert decision.kind is RefusalKind.UNREADABLE
    record = kept.store.get_refused(decision.refused_id)
    assert refused_raw(kept, record) == b"\x00\xff not a mail"
    with pytest.raises(ValidationFailed, match="cannot be read"):
        take_in_anyway(kept, record.id, agent=AGENT)
    assert outbox.messages() == []


def test_take_in_anyway_makes_the_ticket_once_and_records_who(kept, outbox, clock):
    *_, over = flood(kept, kept.config.submissions.per_hour + 1)
    decision = take_in_anyway(kept, over.refused_id, agent=AGENT)
    assert decision == MailDecision("new-ticket", 10021)
    record = kept.store.get_refused(over.refused_id)
    assert not record.held and (record.ticket, record.taken_in_by) == (10021, AGENT)
    again = take_in_anyway(kept, over.refused_id, agent="other@nordwind.example")
    assert again.ticket == 10021 and "taken in already" in again.reason
    assert ticket_count(kept) == 21


def test_take_in_anyway_overrides_the_account_requirement(kept, outbox):
    kept.config = replace(kept.config, accounts=kept.config.accounts.model_copy(
        update={"required_to_submit": True}))
    decision = take_in_mail(kept, make_mail(sender="eve@elsewhere.example"))
    assert decision.kind is RefusalKind.NO_ACCOUNT
    [notice] = notices(outbox, to="eve@elsewhere.example")
    assert "Only customers with an account" in notice.get_body(("plain",)).get_content()
    taken = take_in_anyway(kept, decision.refused_id, agent=AGENT)
    assert taken.action == "new-ticket"
    assert kept.store.get_ticket(taken.ticket).email == "eve@elsewhere.example"


def test_unknown_refused_ids_are_a_clear_error(kept):
    for bad in ("nope", "../../etc/passwd", ""):
        with pytest.raises(ValidationFailed, match="no refused mail"):
            take_in_anyway(kept, bad, agent=AGENT)


def test_refused_mail_without_a_blob_store_is_still_listed(services, outbox):
    flood(services, services.config.submissions.per_hour)
    decision = take_in_mail(services, make_mail(subject="One too many"))
    record = services.store.get_refused(decision.refused_id)
    assert record.raw_key is None and refused_raw(services, record) is None
    with pytest.raises(ValidationFailed, match="not kept"):
        take_in_anyway(services, record.id, agent=AGENT)


# -- duplicates: the same Message-ID and the same content ---------------------------------

def test_a_reused_message_id_with_other_content_makes_its_own_ticket(services, outbox):
    first = make_mail(message_id="<reused@client.example>", body="The export fails.")
    other = make_mail(message_id="<reused@client.example>", body="The import fails.")
    assert take_in_mail(services, first) == MailDecision("new-ticket", 10001)
    assert take_in_mail(services, other) == MailDecision("new-ticket", 10002)
    assert "already taken in" in take_in_mail(services, first).reason
    assert ticket_count(services) == 2


def test_a_reused_message_id_on_replies_adds_each_content_once(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    headers = {"In-Reply-To": "<ticket-10001@nordwind.example>"}

    def reply(body):
        return make_mail(sender="ann@example.com", subject="Re: [#10001]", body=body,
                         message_id="<reply@client.example>", headers=headers)

    for raw in (reply("First detail."), reply("Second detail."), reply("First detail.")):
        take_in_mail(services, raw)
    assert [m.body for m in services.store.list_messages(10001)][1:] == [
        "First detail.", "Second detail."]
    keys = [m.idempotency_key for m in services.store.list_messages(10001)[1:]]
    assert len(set(keys)) == 2 and all(k.startswith("mail:") for k in keys)


def test_a_redelivery_with_other_line_ends_and_added_headers_is_the_same_mail(services):
    mail = make_mail(message_id="<once@client.example>", body="Line one.\nLine two.")
    relayed = b"Received: from relay.example by mx.example; Thu, 26 Nov 2026\r\n" + \
        mail.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    take_in_mail(services, mail)
    assert "already taken in" in take_in_mail(services, relayed).reason


# -- the command line --------------------------------------------------------------------

def test_loket_mail_refused_lists_and_take_in_takes_in(tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(SITE_CONFIG),
                        "LOKET_SQLITE_PATH": str(tmp_path / "cli.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "cli-outbox"),
                        "LOKET_BLOB_DIR": str(tmp_path / "cli-blobs"),
                        "LOKET_SECRET_KEY": "test",
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    auto = make_mail(subject="Vacation", headers={"X-Autoreply": "yes"})
    imported = runner.invoke(main, ["mail-import", "-"], input=auto)
    assert "refused: auto-reply (X-Autoreply)" in imported.output
    listed = runner.invoke(main, ["mail", "refused"])
    assert listed.exit_code == 0, listed.output
    refused_id = listed.output.split()[0]
    assert "automatic" in listed.output and "'Vacation'" in listed.output
    shown = runner.invoke(main, ["mail", "show", refused_id])
    assert shown.exit_code == 0 and b"Subject: Vacation" in shown.stdout_bytes
    taken = runner.invoke(main, ["mail", "take-in", refused_id, "--by", AGENT])
    assert taken.exit_code == 0, taken.output
    assert taken.output.splitlines()[0] == f"{refused_id}: new-ticket #10001"
    assert "taken in as #10001" in runner.invoke(main, ["mail", "refused"]).output
    missing = runner.invoke(main, ["mail", "take-in", "abc", "--by", AGENT])
    assert missing.exit_code == 1 and "no refused mail" in missing.output


def test_hostile_header_lengths_are_capped_in_the_record(kept):
    huge_id = "<" + "x" * 100_000 + "@client.example>"
    decision = take_in_mail(kept, make_mail(subject="S" * 5000, message_id=huge_id,
                                            headers={"X-Autoreply": "yes"}))
    record = kept.store.get_refused(decision.refused_id)
    assert len(record.subject) == 200 and len(record.message_id) == 500
    assert huge_id.encode() in refused_raw(kept, record)  # The original is whole.
