"""Putting many tickets into a store at once, for scale tests and the sweep benchmark.

Creating 100,000 tickets through create_ticket takes minutes; these helpers write the
ticket records directly, as each store keeps them (no messages, no counter). Test and
benchmark use only: the application never writes tickets this way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Iterable, Iterator

from loket.domain.tickets import Ticket
from loket.storage.records import TICKET_COLUMNS, ticket_to_record

TEMPLATE = Ticket(number=0, access_key="k" * 32, email="ann@example.com", product="planner",
                  type="question", subject="Bulk ticket", fields={}, language="en",
                  status="open", created_at=datetime(2026, 1, 5, 9, 0).astimezone(),
                  updated_at=datetime(2026, 1, 5, 9, 0).astimezone())


def waiting_tickets(count: int, *, first: int, due: int, now: datetime,
                    workflow) -> Iterator[Ticket]:
    """`count` tickets numbered from `first`: `due` of them waiting on the customer long
    enough for a reminder at `now` (spread over the numbers, so over every index shard),
    the rest open or waiting with their timers still ahead (half of them in the index)."""
    step = max(1, count // max(due, 1))
    for i in range(count):
        if due and i % step == 0 and i // step < due:
            since = now - timedelta(days=8)
            status = "waiting-on-customer"
        elif i % 2:
            since = now - timedelta(days=1)
            status = "waiting-on-customer"
        else:
            since = now - timedelta(days=30)
            status = "open"
        ticket = replace(TEMPLATE, number=first + i, status=status, status_since=since,
                         created_at=since, updated_at=since)
        yield replace(ticket, due_at=workflow.due_at(ticket))


def insert_sqlite(store, tickets: Iterable[Ticket], chunk: int = 5000) -> None:
    conn = store._connection()
    sql = (f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) VALUES "
           f"({', '.join('?' for _ in TICKET_COLUMNS)})")
    batch: list[list] = []
    for ticket in tickets:
        record = ticket_to_record(ticket)
        batch.append([record[c] for c in TICKET_COLUMNS])
        if len(batch) == chunk:
            _write(conn, sql, batch)
            batch = []
    if batch:
        _write(conn, sql, batch)


def _write(conn, sql: str, rows: list[list]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(sql, rows)
    conn.execute("COMMIT")


def insert_dynamodb(store, tickets: Iterable[Ticket]) -> None:
    """BatchWriteItem, 25 items a request (DynamoDB's limit), retrying what it leaves."""
    from loket.storage.dynamodb import _ticket_item, _to_item

    batch: list[dict] = []
    for ticket in tickets:
        batch.append({"PutRequest": {"Item": _to_item(_ticket_item(ticket))}})
        if len(batch) == 25:
            _batch_write(store, batch)
            batch = []
    if batch:
        _batch_write(store, batch)


def _batch_write(store, requests: list[dict]) -> None:
    while requests:
        response = store.client.batch_write_item(RequestItems={store.table_name: requests})
        requests = response.get("UnprocessedItems", {}).get(store.table_name, [])


def insert(kind: str, store, tickets: Iterable[Ticket]) -> None:
    (insert_sqlite if kind == "sqlite" else insert_dynamodb)(store, tickets)


class ReadCounter:
    """Counts the ticket items a store hands out: for DynamoDB every item in a Query or
    GetItem response (a botocore hook, as DynamoDB bills them); for SQLite every row
    the due-index query and get_ticket return (wrapped, since SQLite has no bill)."""

    def __init__(self, store):
        self.store = store
        self.items = 0
        self.requests = 0
        if hasattr(store, "client"):
            store.client.meta.events.register("after-call.dynamodb", self._count_response)
        else:
            for name in ("due_tickets", "get_ticket"):
                setattr(store, name, self._wrap(getattr(store, name)))

    def _count_response(self, parsed, model, **_):
        self.requests += 1
        if model.name in ("Query", "Scan"):
            self.items += len(parsed.get("Items", []))
        elif model.name == "GetItem" and "Item" in parsed:
            self.items += 1

    def _wrap(self, method):
        def counted(*args, **kwargs):
            self.requests += 1
            result = method(*args, **kwargs)
            self.items += len(result) if isinstance(result, list) else result is not None
            return result
        return counted

    def reset(self) -> None:
        self.items = self.requests = 0


def sqlite_due_query_plan(store, removals: bool = False) -> str:
    """How SQLite answers due_tickets (or due_removals): it must search the index of
    that due part (storage/due_kinds.py), not scan."""
    from loket.storage.due_kinds import SQLITE_REMOVALS_DUE, SQLITE_TIMERS_DUE

    part = SQLITE_REMOVALS_DUE if removals else SQLITE_TIMERS_DUE
    rows = store._connection().execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM tickets WHERE {part} AND due_at <= ? "
        "ORDER BY due_at LIMIT ?", ("2026-01-01", 100)).fetchall()
    return " / ".join(row[-1] for row in rows)
