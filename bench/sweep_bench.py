"""The sweeper at scale: 100,000 tickets, of which 100, then 1,000, then 10,000 are due.

For each store it prints how long the sweep took and how many ticket items it read
from the store (DynamoDB: every item in a Query or GetItem response, counted by a
botocore hook; SQLite: every row due_tickets and get_ticket returned). Reading about
as many items as are due, whatever the total, is the point: timers cost O(due).

DynamoDB runs under moto, in memory. moto answers a Query by walking the whole table
(real DynamoDB reads only the index range), so its times grow with the table and say
little about AWS; its item counts are exact. Run: `make bench`, or
`python bench/sweep_bench.py --stores sqlite --tickets 20000` for a quick look.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.clock import FixedClock  # noqa: E402
from loket.services.context import Services  # noqa: E402
from loket.services.sweeper import BATCH, sweep  # noqa: E402
from tests.bulk import TEMPLATE, ReadCounter, insert  # noqa: E402
from tests.stores import make_store, store_sandbox  # noqa: E402
from tests.workflow.conftest import local, preset_config  # noqa: E402

STEPS = (100, 1_000, 10_000)  # due tickets per sweep, one after the other
BASE = local("2026-12-07 10:00")


def tickets(total: int, due: int, workflow):
    """Ticket i < due waits on the customer so that its reminder falls at BASE + i s;
    of the rest, half wait with their reminder days ahead (in the due index) and half
    are open (not in it)."""
    for i in range(total):
        if i < due:
            since = BASE - timedelta(days=7) + timedelta(seconds=i)
            status = "waiting-on-customer"
        elif i % 2:
            since, status = BASE - timedelta(days=1), "waiting-on-customer"
        else:
            since, status = BASE - timedelta(days=30), "open"
        ticket = replace(TEMPLATE, number=10001 + i, status=status, status_since=since,
                         created_at=since, updated_at=since)
        yield replace(ticket, due_at=workflow.due_at(ticket))


class CountingMailer:
    def __init__(self):
        self.sent = 0

    def send(self, message) -> None:
        self.sent += 1


def run(kind: str, total: int, batch: int) -> list[tuple]:
    rows = []
    monkeypatch = pytest.MonkeyPatch()
    with tempfile.TemporaryDirectory() as tmp, store_sandbox(kind, monkeypatch):
        store = make_store(kind, Path(tmp))
        config = preset_config("reminder-and-close")
        started = time.perf_counter()
        insert(kind, store, tickets(total, sum(STEPS), config.workflow))
        print(f"  {kind}: {total:,} tickets written in {time.perf_counter() - started:.1f} s",
              file=sys.stderr, flush=True)
        mail = CountingMailer()
        services = Services(config=config, store=store, mail=mail, clock=FixedClock(BASE),
                            base_url="https://support.nordwind.example",
                            mail_from="Nordwind Support <support@nordwind.example>")
        reads = ReadCounter(store)
        seen = 0
        for due in STEPS:
            seen += due
            now = BASE + timedelta(seconds=seen - 1)
            reads.reset()
            sent_before = mail.sent
            started = time.perf_counter()
            report = sweep(services, now=now, batch=batch)
            seconds = time.perf_counter() - started
            assert report.changed == due, (report.summary(), due)
            rows.append((kind, total, due, seconds, reads.items, reads.requests,
                         mail.sent - sent_before))
            print(f"  {kind}: {due:,} due swept in {seconds:.2f} s", file=sys.stderr,
                  flush=True)
    monkeypatch.undo()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--stores", nargs="+", default=["sqlite", "dynamodb"])
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args()
    if args.tickets < sum(STEPS):
        parser.error(f"--tickets must be at least {sum(STEPS):,}: the three sweeps need them")
    rows = [row for kind in args.stores for row in run(kind, args.tickets, args.batch)]
    print(f"\nSweep of due reminders, batch {args.batch} (services.sweeper.sweep)")
    print(f"{'store':10} {'tickets':>9} {'due':>7} {'seconds':>8} {'items read':>11} "
          f"{'store calls':>12} {'e-mails':>8} {'ms/due':>7}")
    for kind, total, due, seconds, items, calls, sent in rows:
        print(f"{kind:10} {total:>9,} {due:>7,} {seconds:>8.2f} {items:>11,} {calls:>12,} "
              f"{sent:>8,} {seconds * 1000 / due:>7.2f}")
    print("items read: ticket items the store handed out. store calls: SQLite, due_tickets "
          "and get_ticket calls;\nDynamoDB, API requests (Query per shard, PutItem per "
          "change). Each due ticket's time is mostly\ncomposing its MIME e-mail. moto walks "
          "the whole table for every Query: its times are not AWS's.")


if __name__ == "__main__":
    main()
