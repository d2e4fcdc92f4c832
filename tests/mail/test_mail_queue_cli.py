"""`loket mail queue`, `loket mail retry ID` and `loket mail send-queued`: the operator's
view of outgoing mail, and a failed mail sent again from the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from loket.cli import main
from loket.domain.outgoing import MailFailure, MailState
from loket.services.mail_dispatch import send_queued
from loket.services.submission import submit_ticket
from loket.settings import Settings
from loket.wiring import build_services
from tests.api.conftest import VALID
from tests.paths import SITE_CONFIG


class Refusing:
    def send(self, message):
        raise MailFailure("554 5.7.1 refused by policy", temporary=False)


@pytest.fixture
def runner(tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(SITE_CONFIG),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index"),
                        "LOKET_SECRET_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


@pytest.fixture
def one_failed_one_waiting(runner):
    services = build_services(Settings())
    services.mail = Refusing()
    failed = submit_ticket(services, VALID, client_address="203.0.113.1").ticket.number
    send_queued(services)
    waiting = submit_ticket(services, {**VALID, "subject": "Second"},
                            client_address="203.0.113.2").ticket.number
    return services, failed, waiting


def test_queue_lists_waiting_and_failed_mail_with_the_error(runner, one_failed_one_waiting):
    services, failed, waiting = one_failed_one_waiting
    result = runner.invoke(main, ["mail", "queue"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("pending" in line and f"#{waiting}" in line for line in lines)
    assert any("failed" in line and f"#{failed}" in line and "554 5.7.1" in line
               for line in lines)
    # The waiting ticket's receipt and the one record for its board's agents' notices,
    # which the dispatcher expands (services/agent_notices.py); the failed receipt.
    assert any("pending" in line and "agent-notices" in line and "agents of planner" in line
               and f"#{waiting}" in line for line in lines)
    assert lines[-1] == "3 mail(s)"
    only = runner.invoke(main, ["mail", "queue", "--failed"]).output
    assert f"#{failed}" in only and f"#{waiting}" not in only


def test_retry_then_send_queued_delivers_it(runner, one_failed_one_waiting, tmp_path):
    services, failed, _ = one_failed_one_waiting
    [mail] = services.store.list_mail(pending=False)
    result = runner.invoke(main, ["mail", "retry", mail.id])
    assert result.exit_code == 0 and "queued again" in result.output
    result = runner.invoke(main, ["mail", "send-queued"])
    assert result.exit_code == 0 and result.output.startswith("2 sent"), result.output
    assert services.store.get_mail(mail.id).state is MailState.SENT
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    assert runner.invoke(main, ["mail", "queue"]).output.strip() == "no mail waiting or failed"


def test_retry_of_an_unknown_or_sent_mail_says_why(runner, one_failed_one_waiting):
    result = runner.invoke(main, ["mail", "retry", "nope"])
    assert result.exit_code == 1 and "There is no queued mail nope" in result.output
    runner.invoke(main, ["mail", "send-queued"])
    services, _, waiting = one_failed_one_waiting
    sent = next(m for m in services.store.list_mail(pending=False) if m.ticket != waiting)
    runner.invoke(main, ["mail", "retry", sent.id])
    runner.invoke(main, ["mail", "send-queued"])
    again = runner.invoke(main, ["mail", "retry", sent.id])
    assert again.exit_code == 1 and "was sent already" in again.output
