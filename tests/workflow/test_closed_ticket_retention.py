"""Retention of closed tickets around the store: the setting (validated, off by default),
`loket retention-schedule` for tickets closed before it was set, and a sweep's cost: it
reads the due index's due part, never every closed ticket (O(due), as for timers).
The behaviour on both stores is in tests/contract/test_closed_ticket_retention_contract.py."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner

from loket.cli import main
from loket.clock import FixedClock
from loket.config import ConfigError, load_portal_config
from loket.domain.retention import REMOVED_TEXT, add_months
from loket.services import status as use_cases
from loket.services.context import Services
from loket.services.submission import submit_ticket
from loket.services.sweeper import sweep
from loket.settings import Settings
from loket.wiring import build_services
from tests.bulk import TEMPLATE, ReadCounter, insert, sqlite_due_query_plan
from tests.paths import SITE_CONFIG
from tests.workflow.conftest import SUBMISSION, MailBag, local, preset_config

SETTING = "retention:\n  refused_mail_days: 30\n"


@pytest.fixture
def config_dir(tmp_path):
    target = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, target, ignore=shutil.ignore_patterns(".compiled"))
    return target


def set_months(config_dir, value: str) -> None:
    portal = config_dir / "portal.yml"
    text = portal.read_text()
    assert SETTING in text
    portal.write_text(text.replace(SETTING, SETTING + f"  closed_ticket_months: {value}\n"))


def test_retention_of_closed_tickets_is_off_unless_set(config_dir):
    assert load_portal_config(SITE_CONFIG).workflow.closed_ticket_months is None
    set_months(config_dir, "24")
    config = load_portal_config(config_dir)
    assert config.retention.closed_ticket_months == 24
    assert config.workflow.closed_ticket_months == 24  # the due moments use it


@pytest.mark.parametrize("value", ["0", "-3", "six", "2.5", "true", "1201"])
def test_a_bad_number_of_months_is_refused_naming_the_field(config_dir, value):
    set_months(config_dir, value)
    with pytest.raises(ConfigError) as exc:
        load_portal_config(config_dir)
    assert "retention.closed_ticket_months" in str(exc.value)


def test_retention_schedule_gives_tickets_closed_before_their_moment(
        config_dir, tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(config_dir),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    services = build_services(Settings())  # retention not set yet
    number = submit_ticket(services, dict(SUBMISSION), client_address="203.0.113.7").ticket.number
    closed = use_cases.close_ticket(services, number)
    assert closed.due_at is None

    set_months(config_dir, "6")
    result = CliRunner().invoke(main, ["retention-schedule"])

    assert result.exit_code == 0, result.output
    assert "1 finished ones given their retention moment" in result.output
    assert services.store.get_ticket(number).due_at == add_months(closed.status_since, 6)
    again = CliRunner().invoke(main, ["retention-schedule", "--product", "planner"])
    assert "0 finished ones given" in again.output


DUE, CLOSED = 10, {"sqlite": 5_000, "dynamodb": 400}


def test_a_sweep_reads_the_due_closed_tickets_not_every_closed_one(store):
    """Many tickets closed a month ago, a few seven months ago: a sweep with six months'
    retention reads the few (and each one's parts), and on SQLite asks the due_at index."""
    now = local("2026-12-07 10:00")
    config = preset_config("confirmation-pending")
    config = replace(config, workflow=replace(config.workflow, closed_ticket_months=6))
    kind = "dynamodb" if hasattr(store, "client") else "sqlite"
    insert(kind, store, _closed_tickets(CLOSED[kind], now, config.workflow))
    if kind == "sqlite":
        assert "USING INDEX tickets_by_due_at" in sqlite_due_query_plan(store)
        assert "USING INDEX tickets_removals_by_due_at" in sqlite_due_query_plan(
            store, removals=True)
    services = Services(config=config, store=store, mail=MailBag(), clock=FixedClock(now),
                        base_url="https://support.nordwind.example",
                        mail_from="Nordwind Support <support@nordwind.example>")
    reads = ReadCounter(store)

    report = sweep(services)

    assert report.due == DUE and report.removed == DUE
    # The due part of the index, then per ticket its item twice (before and after the
    # files) and its few parts: a small multiple of DUE, never CLOSED.
    assert reads.items <= 6 * DUE, reads.items
    stripped = [n for n in range(10001, 10001 + CLOSED[kind])
                if store.get_ticket(n).subject == REMOVED_TEXT]
    assert len(stripped) == DUE


def _closed_tickets(count: int, now, workflow):
    step = count // DUE
    for i in range(count):
        since = now - (timedelta(days=7 * 31) if i % step == 0 else timedelta(days=31))
        ticket = replace(TEMPLATE, number=10001 + i, status="closed", status_since=since,
                         created_at=since - timedelta(days=3), updated_at=since)
        yield replace(ticket, due_at=workflow.due_at(ticket), **workflow.queue_keys(ticket))
