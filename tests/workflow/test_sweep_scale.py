"""Timers cost O(tickets due), not O(all tickets): with 100,000 tickets (2,000 on
DynamoDB under moto) of which 100 are due, a sweep reads about 100 ticket items. bench/sweep_bench.py
prints the same for more due tickets, with times."""

from __future__ import annotations

import pytest

from loket.clock import FixedClock
from loket.services.context import Services
from loket.services.sweeper import sweep
from tests.bulk import ReadCounter, insert_dynamodb, insert_sqlite, sqlite_due_query_plan, \
    waiting_tickets
from tests.workflow.conftest import MailBag, local, preset_config

pytestmark = pytest.mark.slow  # about a minute on DynamoDB under moto

TICKETS, DUE = 100_000, 100
# moto copies the whole table for every item of a transaction (its rollback), and each
# swept ticket is saved in one with its e-mail: on DynamoDB a smaller table keeps the
# test to a minute and still holds 20 times more tickets than are due.
DYNAMODB_TICKETS = 2_000


def test_a_sweep_reads_what_is_due_not_every_ticket(store):
    now = local("2026-12-07 10:00")
    config = preset_config("reminder-and-close")
    count = DYNAMODB_TICKETS if hasattr(store, "client") else TICKETS
    tickets = waiting_tickets(count, first=10001, due=DUE, now=now, workflow=config.workflow)
    (insert_dynamodb if hasattr(store, "client") else insert_sqlite)(store, tickets)
    if not hasattr(store, "client"):
        assert "USING INDEX tickets_by_due_at" in sqlite_due_query_plan(store)
    mail = MailBag()
    services = Services(config=config, store=store, mail=mail, clock=FixedClock(now),
                        base_url="https://support.nordwind.example",
                        mail_from="Nordwind Support <support@nordwind.example>")
    reads = ReadCounter(store)

    report = sweep(services)

    assert report.due == DUE and report.changed == DUE and report.emails == DUE
    # About 100 items, not 100,000: the index's due part, read once (half of the other
    # tickets are in the index too, with their timers still ahead).
    assert DUE <= reads.items <= DUE + 5, reads.items
