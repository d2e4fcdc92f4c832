"""Fetching mail from a real IMAP server (Dovecot): every message is taken in and then
moved to the processed folder; a crash between the two loses nothing and doubles
nothing; TLS, STARTTLS, app passwords and XOAUTH2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from loket.mail.imap import ImapError, ImapMailbox, parse_imap_url
from loket.services import mail_fetch
from loket.services.mail_fetch import MailFetchLoop, fetch_mail
from tests.api.conftest import ticket_count
from tests.mail.conftest import make_mail
from tests.mail_fetch.conftest import OAUTH_TOKEN, OAUTH_USER, Mailbox
from tests.paths import ROOT, SITE_CONFIG


def test_each_message_is_taken_in_then_moved_to_processed(services, mailbox):
    mailbox.deliver(make_mail(sender="ann@example.com", subject="Export fails"),
                    make_mail(sender="bob@example.com", subject="Import fails"))
    report = fetch_mail(services, mailbox.factory())
    assert [(d.action, d.ticket) for _, d in report.taken] == [("new-ticket", 10001),
                                                                ("new-ticket", 10002)]
    assert [services.store.get_ticket(n).email for n in (10001, 10002)] == [
        "ann@example.com", "bob@example.com"]
    assert mailbox.messages("INBOX") == []
    assert len(mailbox.messages("Processed")) == 2
    # Nothing left to do: a second fetch finds an empty mailbox.
    assert fetch_mail(services, mailbox.factory()).taken == []


def test_the_same_mail_twice_makes_one_ticket_and_another_content_its_own(services, mailbox):
    same = make_mail(message_id="<reused@client.example>", body="The export fails.")
    other = make_mail(message_id="<reused@client.example>", body="The import fails too.")
    mailbox.deliver(same, same, other)
    report = fetch_mail(services, mailbox.factory())
    assert [d.ticket for _, d in report.taken] == [10001, 10001, 10002]
    assert "already taken in" in report.taken[1][1].reason
    assert ticket_count(services) == 2
    assert len(mailbox.messages("Processed")) == 3


def test_starttls_and_the_copy_expunge_fallback(services, mailbox, imap_server, monkeypatch):
    monkeypatch.setattr(ImapMailbox, "use_move", False)
    mailbox.url = imap_server.url(mailbox.user, mailbox.password, tls=False)
    assert parse_imap_url(mailbox.url).implicit_tls is False
    mailbox.deliver(make_mail(), make_mail(subject="Second"))
    report = fetch_mail(services, mailbox.factory(processed="Loket done"))
    assert len(report.taken) == 2
    assert mailbox.messages("INBOX") == []
    assert len(mailbox.messages("Loket done")) == 2


def test_xoauth2_signs_in_with_a_token(services, imap_server):
    mailbox = Mailbox(imap_server, OAUTH_USER, OAUTH_TOKEN)
    mailbox.url = f"imaps://{OAUTH_USER}@localhost:{imap_server.imaps_port}/INBOX"
    mailbox.deliver(make_mail())
    report = fetch_mail(services, mailbox.factory(oauth_token=OAUTH_TOKEN))
    assert len(report.taken) == 1
    assert "method=XOAUTH2" in imap_server.log()


def test_a_wrong_password_is_a_clear_error_that_hides_the_password(services, mailbox):
    mailbox.url = mailbox.url.replace(mailbox.password, "wrong-password")
    with pytest.raises(ImapError) as caught:
        fetch_mail(services, mailbox.factory())
    assert "sign-in refused" in str(caught.value)
    assert "wrong-password" not in str(caught.value)


def test_an_untrusted_certificate_is_refused(services, mailbox):
    target = parse_imap_url(mailbox.url)
    with pytest.raises(OSError):  # ssl.SSLCertVerificationError
        fetch_mail(services, lambda: ImapMailbox(target, processed="Processed"))


def test_a_message_that_cannot_be_taken_in_now_stays_and_the_rest_go_on(services, mailbox,
                                                                          monkeypatch):
    mailbox.deliver(make_mail(subject="First"), make_mail(subject="Second"))
    take_in = mail_fetch.take_in_mail

    def store_down_for_the_first(services, raw):
        if b"Subject: First" in raw:
            raise ConnectionError("store down")
        return take_in(services, raw)

    monkeypatch.setattr(mail_fetch, "take_in_mail", store_down_for_the_first)
    report = fetch_mail(services, mailbox.factory())
    assert [uid for uid, _ in report.failed] == ["1"] and len(report.taken) == 1
    [left] = mailbox.messages("INBOX")
    assert b"Subject: First" in left
    monkeypatch.setattr(mail_fetch, "take_in_mail", take_in)
    assert len(fetch_mail(services, mailbox.factory()).taken) == 1
    assert ticket_count(services) == 2 and mailbox.messages("INBOX") == []


def test_serves_background_loop_fetches(services, mailbox):
    mailbox.deliver(make_mail())
    loop = MailFetchLoop(services, mailbox.factory(), interval=60)
    assert len(loop.run_once().taken) == 1
    assert ticket_count(services) == 1


def test_the_loop_survives_a_mail_server_that_is_down(services, mailbox):
    mailbox.url = mailbox.url.replace(str(mailbox.server.imaps_port), "1")
    assert MailFetchLoop(services, mailbox.factory(), interval=60).run_once() is None


# -- a crash between storing and moving -------------------------------------------------

def _environment(tmp_path, mailbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    env.update(LOKET_CONFIG_DIR=str(SITE_CONFIG), LOKET_SQLITE_PATH=str(tmp_path / "cli.db"),
               LOKET_OUTBOX_DIR=str(tmp_path / "cli-outbox"),
               LOKET_BLOB_DIR=str(tmp_path / "cli-blobs"),
               LOKET_SEARCH_INDEX=str(tmp_path / "no-index"), LOKET_SECRET_KEY="test",
               LOKET_IMAP_URL=mailbox.url, LOKET_IMAP_CA_FILE=str(mailbox.server.ca_file))
    return env


# Kills its own process (SIGKILL: no clean-up, no finally) at the first move, which
# comes right after the first message's ticket is stored.
_KILLED_AT_THE_MOVE = """
import os, signal, sys
from loket.mail import imap
imap.ImapMailbox.move_to_processed = lambda self, uid: os.kill(os.getpid(), signal.SIGKILL)
from loket.cli import main
main(["mail-fetch"])
"""


def test_killed_between_store_and_move_the_next_fetch_neither_loses_nor_doubles(tmp_path,
                                                                                mailbox):
    from loket.storage.sqlite import SQLiteStore

    mailbox.deliver(make_mail(sender="ann@example.com", subject="Export fails"),
                    make_mail(sender="bob@example.com", subject="Import fails"))
    env = _environment(tmp_path, mailbox)
    killed = subprocess.run([sys.executable, "-c", _KILLED_AT_THE_MOVE], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    store = SQLiteStore(tmp_path / "cli.db")
    assert store.get_ticket(10001) is not None and store.get_ticket(10002) is None
    assert len(mailbox.messages("INBOX")) == 2  # Stored, but not moved.

    again = subprocess.run([sys.executable, "-m", "loket.cli", "mail-fetch"], env=env,
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "already taken in" in again.stdout and "2 messages taken in" in again.stdout
    assert [store.get_ticket(n).email for n in (10001, 10002)] == [
        "ann@example.com", "bob@example.com"]
    assert store.get_ticket(10003) is None
    assert mailbox.messages("INBOX") == [] and len(mailbox.messages("Processed")) == 2
    assert _receipts(store, tmp_path / "cli-outbox") == 2  # The re-run made none again.


def _receipts(store, outbox) -> int:
    """Receipts sent (the outbox folder) or waiting in the store's mail queue (beside
    each, the record standing for the board's notices: not a receipt)."""
    queued = store.list_mail(pending=True) if hasattr(store, "list_mail") else []
    return (len(list(outbox.glob("*.eml")))
            + sum(1 for mail in queued if mail.kind == "receipt"))


def test_mail_fetch_without_a_url_says_what_to_set(tmp_path, mailbox):
    env = _environment(tmp_path, mailbox)
    del env["LOKET_IMAP_URL"]
    result = subprocess.run([sys.executable, "-m", "loket.cli", "mail-fetch"], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "LOKET_IMAP_URL" in result.stderr


def test_the_processed_folder_must_be_another_folder(mailbox):
    from types import SimpleNamespace

    from loket.services.mail_fetch import mailbox_from_settings

    settings = SimpleNamespace(imap_url=mailbox.url, imap_processed="inbox",
                               imap_oauth_token="", imap_ca_file=None)
    with pytest.raises(ImapError, match="LOKET_IMAP_PROCESSED"):
        mailbox_from_settings(settings)
