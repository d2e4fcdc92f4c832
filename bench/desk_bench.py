"""The desk's views, counts and search with many tickets: store calls and time per page.

    .venv/bin/python -m bench.desk_bench [--tickets 100000] [--dynamodb-tickets 10000]

Fills each store directly (tests/bulk.py's way: ticket records and their words, no
messages) with tickets of the application-management preset: 80% planner, 20% payroll;
5% new, 30% open, 15% waiting on the customer, the rest solved or closed; every fourth
unresolved one assigned to one of five agents; words from a 400-word vocabulary, and
"zeppelin" in 1 ticket of 2,000. The agent sees planner only. Then, as the pages do
(services/desk_views.py): each view's first page, the six counts, and searches.

For every operation it prints store calls (SQLite: calls of the store's methods, and
the tickets they returned; DynamoDB: API requests, and the items they read: a Query's
ScannedCount, before its filter), the time, and the time as a ratio
of one get_ticket measured in the same run on the same store (the machine is shared,
so only ratios compare between runs). DynamoDB runs under moto, in memory: moto walks
the whole table for a Query, so its times grow with the table and say nothing about
AWS; its request and item counts are exact.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "functions"))

from loket.clock import FixedClock  # noqa: E402
from loket.domain.tickets import RESOLVED  # noqa: E402
from loket.services.desk_views import VIEW_IDS, search, view_counts, view_page  # noqa: E402
from loket.storage.desk_queries import words  # noqa: E402
from tests.bulk import TEMPLATE, insert  # noqa: E402
from tests.workflow.conftest import local, preset_config  # noqa: E402

NOW = local("2026-11-26 10:30")
AGENTS = [f"agent{i}@vendor.example" for i in range(5)]
ME = AGENTS[0]
VOCABULARY = [f"w{i:03d}" for i in range(400)]
STATUSES = (["waiting-for-support"] * 5 + ["in-progress"] * 30 + ["waiting-on-customer"] * 15
            + ["solved"] * 30 + ["closed"] * 20)
PRIORITIES = ("p1", "p2", "p3", "p4")


def tickets(count: int, workflow):
    rng = random.Random(12)
    for i in range(count):
        status = rng.choice(STATUSES)
        category = workflow.status(status).category
        created = NOW - timedelta(minutes=count - i)
        running = category not in RESOLVED and workflow.status(status).sla_runs
        ticket = replace(
            TEMPLATE, number=10001 + i, product="planner" if i % 5 else "payroll",
            email=f"customer{i % 3000}@example.com", status=status, created_at=created,
            updated_at=created, status_since=created, priority=rng.choice(PRIORITIES),
            impact="medium", urgency="medium", sla_since=created if running else None,
            assignee=rng.choice(AGENTS) if category not in RESOLVED and i % 4 == 0 else None,
            subject=" ".join(rng.sample(VOCABULARY, 5)) + (" zeppelin" if i % 2000 == 7 else ""))
        yield replace(ticket, **workflow.queue_keys(ticket))


def fill(kind: str, store, count: int, workflow) -> None:
    made = list(tickets(count, workflow))
    insert(kind, store, made)
    if kind == "sqlite":
        conn = store._connection()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO ticket_words (rowid, words) VALUES (?, ?)",
                         [(t.number, " ".join(words(t.subject))) for t in made])
        conn.execute("COMMIT")
    else:
        from loket.storage.dynamodb_desk import words_write

        requests = []
        for t in made:
            update = words_write(store.table_name, t, [t.subject])["Update"]
            values = update["ExpressionAttributeValues"]
            requests.append({"PutRequest": {"Item": {
                **update["Key"], "words": values[":words"], "words_pk": values[":pk"],
                "words_sk": values[":sk"]}}})
            if len(requests) == 25:
                store.client.batch_write_item(RequestItems={store.table_name: requests})
                requests = []
        if requests:
            store.client.batch_write_item(RequestItems={store.table_name: requests})


class Calls:
    """Store calls (SQLite: methods; DynamoDB: API requests and items returned)."""

    def __init__(self, store):
        self.calls = self.items = 0
        if hasattr(store, "client"):
            store.client.meta.events.register("after-call.dynamodb", self._response)
        else:
            for name in ("desk_view", "count_desk_view", "search_tickets", "get_ticket"):
                setattr(store, name, self._wrap(getattr(store, name)))

    def _response(self, parsed, model, **_):
        # Items read, as DynamoDB bills them: a Query's ScannedCount (what its key
        # condition read, before any filter or COUNT), a GetItem's item.
        self.calls += 1
        self.items += parsed.get("ScannedCount", 0) + ("Item" in parsed)

    def _wrap(self, method):
        def counted(*args, **kwargs):
            self.calls += 1
            found = method(*args, **kwargs)
            self.items += len(found) if isinstance(found, list) else 1
            return found
        return counted


def measure(label: str, run, calls: Calls, baseline: float, repeat: int = 3) -> None:
    times = []
    for _ in range(repeat):
        calls.calls = calls.items = 0
        start = time.perf_counter()
        shown = run()
        times.append(time.perf_counter() - start)
    took = statistics.median(times)
    print(f"  {label:44} {shown:>5} shown  {calls.calls:3} calls  {calls.items:6} items  "
          f"{took * 1000:8.1f} ms  x{took / baseline:8.1f} get_ticket")


def figures(kind: str, store, count: int) -> None:
    config = preset_config("application-management")
    services = SimpleNamespace(store=store, clock=FixedClock(NOW), config=config)
    viewer = SimpleNamespace(rights=frozenset({"planner"}), may_see=lambda t: True,
                             account=SimpleNamespace(email=ME, is_agent=True))
    start = time.perf_counter()
    fill(kind, store, count, config.workflow)
    print(f"{kind}: {count} tickets filled in {time.perf_counter() - start:.1f} s")
    calls = Calls(store)
    rounds = []
    for number in range(10001, 10001 + 50):
        begin = time.perf_counter()
        store.get_ticket(number)
        rounds.append(time.perf_counter() - begin)
    baseline = statistics.median(rounds)
    print(f"  baseline get_ticket: {baseline * 1000:.2f} ms")
    for view in VIEW_IDS:
        measure(f"view {view}, first page", lambda v=view: len(
            view_page(services, viewer, v).tickets), calls, baseline)
    measure("view all, newest first", lambda: len(
        view_page(services, viewer, "all", order="newest").tickets), calls, baseline)
    page = view_page(services, viewer, "unassigned")
    measure("view unassigned, second page", lambda: len(view_page(
        services, viewer, "unassigned", after=page.next_after).tickets), calls, baseline)
    measure("six counts (at most 1000 each)", lambda: sum(
        c.value for c in view_counts(services, viewer).values()), calls, baseline)
    for label, form in (("search a common word", {"q": "w007"}),
                        ("search a rare word (1 in 2000)", {"q": "zeppelin"}),
                        ("search two words", {"q": "w007 w011"}),
                        ("search requester", {"requester": "customer42@example.com"}),
                        ("search status", {"status": "waiting-for-support"}),
                        ("search priority + last 2 days", {
                            "priority": "p1", "from": "2026-11-25"}),
                        ("search by number", {"q": "#10002"})):
        measure(label, lambda f=form: len(search(services, viewer, f).tickets), calls,
                baseline)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--dynamodb-tickets", type=int, default=10_000)
    parser.add_argument("--stores", default="sqlite,dynamodb")
    args = parser.parse_args()
    import pytest

    from tests.stores import make_store, store_sandbox

    for kind in args.stores.split(","):
        count = args.tickets if kind == "sqlite" else args.dynamodb_tickets
        with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch, \
                store_sandbox(kind, patch):
            figures(kind, make_store(kind, Path(tmp)), count)


if __name__ == "__main__":
    main()
