"""`loket desk-reindex`: tickets stored before the desk's views (no queue keys) get them,
and a changed SLA re-orders the queue; a ticket whose keys are right is left alone."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from loket.cli import main
from loket.domain.outgoing import Suppression
from loket.services.desk_views import view_page
from loket.services.sessions import Viewer
from loket.services.submission import submit_ticket
from loket.settings import Settings
from loket.wiring import build_services
from tests.paths import SITE_CONFIG
from tests.workflow.conftest import SUBMISSION


@pytest.fixture
def runner(tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(SITE_CONFIG),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def agent_viewer(services):
    from loket.domain.accounts import Account, Role

    account = Account(email="desk@nordwind.example", role=Role.AGENT,
                      created_at=services.clock.now(), products=frozenset({"planner"}))
    return Viewer(account, None)


def test_tickets_without_keys_come_into_the_views(runner):
    services = build_services(Settings())
    numbers = [submit_ticket(services, {**SUBMISSION, "subject": f"Export {i}"},
                             client_address=f"203.0.113.{i}").ticket.number for i in range(3)]
    conn = services.store._connection()  # as a store from before the desk's views
    conn.execute("UPDATE tickets SET queue_category = NULL, queue_order = NULL")
    viewer = agent_viewer(services)
    assert view_page(services, viewer, "new").tickets == []

    result = runner.invoke(main, ["desk-reindex"])
    assert result.exit_code == 0, result.output
    assert "3 tickets seen, 3 updated" in result.output
    assert sorted(t.number for t in view_page(services, viewer, "new").tickets) == numbers
    again = runner.invoke(main, ["desk-reindex", "--product", "planner"])
    assert "3 tickets seen, 0 updated" in again.output


def test_suppressions_need_nothing_on_sqlite(runner):
    services = build_services(Settings())
    services.store.suppress_address(Suppression(
        address="zed@example.com", reason="bounce", detail="", created_at=services.clock.now()))
    result = runner.invoke(main, ["desk-reindex", "--suppressions"])
    assert result.exit_code == 0, result.output
    assert "0 suppressions put on the desk's list (nothing to do on SQLite" in result.output
    assert [s.address for s in services.store.list_suppressions()] == ["zed@example.com"]


def test_the_upgrade_walk_reads_every_ticket_a_page_at_a_time(runner, monkeypatch):
    """desk-reindex and retention-schedule walk each product's tickets through pages
    (services/desk_reindex.product_tickets): none is missed or read twice."""
    import loket.services.desk_reindex as desk_reindex

    services = build_services(Settings())
    numbers = [submit_ticket(services, {**SUBMISSION, "subject": f"Page {i}"},
                             client_address="203.0.113.9").ticket.number for i in range(5)]
    monkeypatch.setattr(desk_reindex, "PAGE", 2)
    walked = [t.number for t in desk_reindex.product_tickets(services, ["planner"])]
    assert walked == sorted(numbers)
