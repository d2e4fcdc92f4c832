"""Figures for accounts: what one sign-in costs (argon2id with the real parameters), and
what a "my tickets" page costs for an account with 1,000 tickets, on both stores.

    .venv/bin/python -m bench.accounts_bench [--tickets 1000]

Prints figures; asserts nothing (tests/accounts/test_my_tickets_cost.py holds the
request counts to account).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.bulk

from loket.domain.tickets import NewTicket  # noqa: E402
from loket.services.passwords import default_hasher  # noqa: E402
from loket.storage.account_records import TicketQuery  # noqa: E402

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


def login_figures(rounds: int = 7) -> None:
    hasher = default_hasher()
    stored = hasher.hash("marble kettle orbit 42 lantern")
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        hasher.verify(stored, "marble kettle orbit 42 lantern")
        times.append(time.perf_counter() - start)
    print(f"argon2id: time_cost={hasher.time_cost} memory_cost={hasher.memory_cost} KiB "
          f"parallelism={hasher.parallelism} hash_len={hasher.hash_len} salt_len={hasher.salt_len}")
    print(f"one sign-in (verify): median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms over {rounds}")


def new_tickets(count: int):
    for i in range(count):
        yield NewTicket(
            email="ann@acme.example", product="planner" if i % 10 else "payroll",
            type="question", subject=f"Question {i}" + (" export" if i % 50 == 0 else ""),
            description="...", fields={}, language="en", status="solved" if i % 7 else "open",
            created_at=T0, organization="acme")


def fill(store, count: int) -> None:
    for new in new_tickets(count):
        store.create_ticket(new)


def fill_dynamodb(store, count: int) -> None:
    """The same tickets, numbered as create_ticket numbers them, written in batches: moto
    copies the whole table for every item of a TransactWriteItems (to roll back), so
    a thousand create_ticket calls took many minutes and over 10 GB."""
    from loket.domain.tickets import Ticket
    from tests.bulk import insert_dynamodb

    insert_dynamodb(store, (Ticket.from_new(10001 + i, new)
                            for i, new in enumerate(new_tickets(count))))


QUERIES = {
    "first page (25, newest first)": dict(),
    "second page": "next",
    "status open (1 in 7)": dict(statuses=frozenset({"open"})),
    "text 'export' (1 in 50)": dict(text="export"),
    "organization scope": dict(organization="acme", account=None),
}


def page_figures(store, counter) -> None:
    rights = frozenset({"planner", "payroll"})
    last = None
    for name, extra in QUERIES.items():
        args = dict(products=rights, account="ann@acme.example")
        if extra == "next":
            args["after"] = last
        else:
            args.update(extra)
        counter.clear()
        found = store.list_tickets(TicketQuery(**args))
        if last is None:
            last = found[24].number
        print(f"  {name:32} {len(found[:25]):3} tickets  {dict(counter)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000)
    args = parser.parse_args()
    login_figures()
    from loket.storage.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "bench.db")
        fill(store, args.tickets)
        counter: Counter = Counter({"list_tickets": 0})
        original = store.list_tickets

        def counted(query):
            counter["store calls"] += 1
            return original(query)

        store.list_tickets = counted
        print(f"SQLite, {args.tickets} tickets of one account (store calls; the index "
              "tickets_by_account/organization answers, LIMIT 26):")
        page_figures(store, counter)
    dynamodb_figures(args.tickets)
    print("A page also reads the session, the account and its organization: 3 GetItem "
          "(SQLite: 3 primary-key reads).")


def dynamodb_figures(count: int) -> None:
    import os

    from moto import mock_aws

    from loket.storage.dynamodb import DynamoDBStore, create_table

    os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                      AWS_DEFAULT_REGION="eu-west-1")
    with mock_aws():
        store = DynamoDBStore("bench", region="eu-west-1")
        create_table(store.client, "bench")
        fill_dynamodb(store, count)
        counter: Counter = Counter()
        store.client.meta.events.register(
            "before-parameter-build.dynamodb",
            lambda model, **_: counter.update([model.name]))
        print(f"DynamoDB (moto), {count} tickets of one account (requests):")
        page_figures(store, counter)


if __name__ == "__main__":
    main()
