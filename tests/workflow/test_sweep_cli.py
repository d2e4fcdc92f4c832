"""`loket sweep`: fire what is due, for a given moment with --now, or only list it with
--dry-run; and `loket check-config` shows the workflow."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from loket.cli import main
from loket.clock import FixedClock
from loket.services.mail_dispatch import send_queued
from loket.services.status import agent_reply
from loket.services.submission import submit_ticket
from loket.settings import Settings
from loket.wiring import build_services
from tests.paths import SITE_CONFIG
from tests.workflow.conftest import SUBMISSION, local


@pytest.fixture
def runner(tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(SITE_CONFIG),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


@pytest.fixture
def waiting_ticket(runner):
    """A ticket waiting on the customer since Monday 30 November 2026, 10:00."""
    services = build_services(Settings())
    services.clock = FixedClock(local("2026-11-30 10:00"))
    number = submit_ticket(services, SUBMISSION, client_address="203.0.113.7").ticket.number
    agent_reply(services, number, "Which version?", agent="piet", status="waiting-on-customer")
    send_queued(services)  # the receipt and the answer, as `loket serve` would
    return number


def outbox(tmp_path) -> int:
    return len(list((tmp_path / "outbox").glob("*.eml")))


def test_dry_run_lists_what_is_due_and_sends_nothing(runner, waiting_ticket, tmp_path):
    before = outbox(tmp_path)
    result = runner.invoke(main, ["sweep", "--now", "2026-12-14T10:00", "--dry-run"])
    assert result.exit_code == 0, result.output
    # Never closed before the reminder (issue #11, defect 5): the late sweep would send
    # the reminder and postpone the close; the dry run counts that e-mail.
    assert result.output.splitlines() == [
        f"#{waiting_ticket}: reminder (remind-after-7-days)",
        "dry run at 2026-12-14T10:00:00+01:00: 1 due, would change 1, 1 e-mails, 0 conflicts",
    ]
    assert outbox(tmp_path) == before


def test_sweep_at_a_moment_fires_and_a_second_run_does_nothing(runner, waiting_ticket,
                                                               tmp_path):
    before = outbox(tmp_path)
    result = runner.invoke(main, ["sweep", "--now", "2026-12-07T10:00+01:00"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"#{waiting_ticket}: reminder (remind-after-7-days)"
    assert outbox(tmp_path) == before + 1
    again = runner.invoke(main, ["sweep", "--now", "2026-12-07T10:00+01:00"])
    assert again.output.endswith("0 due, changed 0, 0 e-mails, 0 conflicts\n")
    assert outbox(tmp_path) == before + 1


def test_a_bad_moment_is_refused(runner):
    result = runner.invoke(main, ["sweep", "--now", "next tuesday"])
    assert result.exit_code == 2 and "is not a moment like" in result.output


def test_check_config_shows_the_workflow_and_the_holidays(runner):
    result = runner.invoke(main, ["check-config"])
    assert result.exit_code == 0, result.output
    assert "after 14 days in waiting-on-customer: move to closed" in result.output
    assert "calendar: Europe/Amsterdam; Mon 09:00-17:00" in result.output
