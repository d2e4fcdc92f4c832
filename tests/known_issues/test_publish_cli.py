"""`loket publish` (#16): reads the built site's known-issues.json and tells each ticket
linked to a fixed issue, once; without a built site it says what to do."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from loket.cli import main
from loket.domain.events import Actor
from loket.domain.known_issues import CATALOG_FILE, Catalog, KnownIssue, Release
from loket.domain.tickets import AuthorRole
from loket.services.known_issues import link_ticket
from loket.services.mail_dispatch import send_queued
from loket.services.submission import submit_ticket
from loket.settings import Settings
from loket.wiring import build_services
from tests.paths import SITE_CONFIG
from tests.workflow.conftest import SUBMISSION

FIXED = KnownIssue(id="PLN-142", product="planner", status="fixed",
                   titles={"en": "Swaps show the old employee"},
                   urls={"en": "/known-issues/PLN-142/"}, workaround={"en": "Publish again."},
                   release=Release("Planner 2026.3", "/release-notes/2026/12/08/planner-2026-3/"))


@pytest.fixture
def runner(tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(SITE_CONFIG),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOKET_SITE_DIR": str(tmp_path / "site"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def outbox(tmp_path) -> int:
    return len(list((tmp_path / "outbox").glob("*.eml")))


def test_without_a_built_site_it_says_to_build_it(runner, tmp_path):
    result = runner.invoke(main, ["publish"])
    assert result.exit_code != 0
    assert f"{tmp_path / 'site' / CATALOG_FILE}: not found" in result.output


def test_publish_tells_a_linked_ticket_once(runner, tmp_path):
    services = build_services(Settings())
    number = submit_ticket(services, SUBMISSION, client_address="203.0.113.7").ticket.number
    link_ticket(services, number, FIXED, by=Actor("piet@nordwind.example", AuthorRole.AGENT))
    send_queued(services)  # the receipt and the known issue's e-mail
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / CATALOG_FILE).write_text(Catalog({"PLN-142": FIXED}).to_json(), "utf-8")
    before = outbox(tmp_path)
    result = runner.invoke(main, ["publish"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"PLN-142: #{number} told the fix is released",
        "1 known issues fixed, 1 tickets told, 0 told before"]
    assert outbox(tmp_path) == before + 1  # sent before the command ended
    assert services.store.get_ticket(number).status == "solved"
    again = runner.invoke(main, ["publish", "--site", str(tmp_path / "site")])
    assert again.output.splitlines() == ["1 known issues fixed, 0 tickets told, 1 told before"]
    assert outbox(tmp_path) == before + 1


def test_on_aws_the_mail_is_left_for_the_dispatcher(runner, tmp_path):
    services = build_services(Settings())
    number = submit_ticket(services, SUBMISSION, client_address="203.0.113.7").ticket.number
    link_ticket(services, number, FIXED, by=Actor("piet@nordwind.example", AuthorRole.AGENT))
    send_queued(services)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / CATALOG_FILE).write_text(Catalog({"PLN-142": FIXED}).to_json(), "utf-8")
    before = outbox(tmp_path)
    result = runner.invoke(main, ["publish", "--leave-mail-queued"])
    assert result.exit_code == 0, result.output
    assert outbox(tmp_path) == before
    assert [m.kind for m in services.store.list_mail(pending=True)] == ["fix-released"]
