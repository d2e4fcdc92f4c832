"""`loket mail unsuppress ADDRESS`: an address that bounced hard or complained gets mail
again, and the store keeps who lifted its suppression."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from loket.cli import main
from loket.domain.outgoing import MailState, Suppression
from loket.services.mail_dispatch import send_queued
from loket.services.submission import submit_ticket
from loket.settings import Settings
from loket.wiring import build_services
from tests.api.conftest import VALID
from tests.mail.test_mail_queue_cli import runner  # noqa: F401  (the fixture)

BOUNCED = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def services(runner):  # noqa: F811
    services = build_services(Settings())
    services.store.suppress_address(Suppression(
        address=VALID["email"], reason="bounce", detail="550 5.1.1 user unknown",
        created_at=BOUNCED))
    return services


def test_unsuppress_lifts_it_and_records_who(runner, services):  # noqa: F811
    result = runner.invoke(main, ["mail", "unsuppress", VALID["email"].upper(),
                                  "--by", "ops@vendor.example", "--note", "mailbox fixed"])
    assert result.exit_code == 0, result.output
    assert "suppression lifted by ops@vendor.example" in result.output
    assert "bounce on 2026-11-20 08:00 UTC: 550 5.1.1 user unknown" in result.output
    assert services.store.get_suppression(VALID["email"]) is None
    [lift] = services.store.suppression_lifts(VALID["email"])
    assert (lift.lifted_by, lift.note, lift.suppression.reason) == (
        "ops@vendor.example", "mailbox fixed", "bounce")


def test_without_by_the_record_names_the_user_of_the_command_line(runner, services,  # noqa: F811
                                                                   monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    assert runner.invoke(main, ["mail", "unsuppress", VALID["email"]]).exit_code == 0
    assert services.store.suppression_lifts(VALID["email"])[0].lifted_by == "cli:operator"


def test_mail_goes_to_the_address_again_after_the_lift(runner, services, tmp_path):  # noqa: F811
    before = submit_ticket(services, VALID, client_address="203.0.113.1").ticket.number
    send_queued(services)
    [kept] = services.store.list_mail(pending=False)
    assert (kept.ticket, kept.state) == (before, MailState.SUPPRESSED)
    runner.invoke(main, ["mail", "unsuppress", VALID["email"]])
    submit_ticket(services, {**VALID, "subject": "After the lift"},
                  client_address="203.0.113.1")
    assert send_queued(services).sent == 1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_an_address_that_is_not_suppressed_is_an_error_that_changes_nothing(runner, services):  # noqa: F811
    result = runner.invoke(main, ["mail", "unsuppress", "carol@example.com"])
    assert result.exit_code == 1
    assert "carol@example.com is not suppressed" in result.output
    assert services.store.get_suppression(VALID["email"]) is not None


def test_something_that_is_no_address_is_refused(runner, services):  # noqa: F811
    result = runner.invoke(main, ["mail", "unsuppress", "not an address"])
    assert result.exit_code == 1
    assert "is not an e-mail address" in result.output
