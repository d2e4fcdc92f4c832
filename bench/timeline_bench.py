"""The timeline's cost (#12): what writing a change's events adds to a save, and what
reading a ticket's timeline costs, on SQLite (time) and DynamoDB under moto (requests
and items; moto's times say little about AWS).

Each store gets `--tickets` tickets; each ticket is changed `--changes` times (a status
change, an internal note: two or three events a save). Printed per store: the mean time
of a save with its events and of list_events, each also as a ratio to get_ticket
measured in the same run (the machine may be loaded: compare ratios, not times), and on
DynamoDB the requests per call. Run: `python bench/timeline_bench.py`.
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

from loket.domain.events import Actor, events_of_change  # noqa: E402
from loket.domain.tickets import AuthorRole, Message  # noqa: E402
from tests.contract.test_store_contract import T0, new_ticket  # noqa: E402
from tests.stores import make_store, store_sandbox  # noqa: E402

AGENT = Actor("desk@nordwind.example", AuthorRole.AGENT)


class Requests:
    """Counts the DynamoDB API calls the store makes (botocore's before-call hook)."""

    def __init__(self, store):
        self.count = 0
        store.client.meta.events.register("before-call.dynamodb", self._seen)

    def _seen(self, **_):
        self.count += 1


def timed(call, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - start) / repeat


def change(store, ticket, i: int):
    at = T0 + timedelta(minutes=i + 1)
    note = Message(AGENT.name, AuthorRole.AGENT, f"note {i}", at, public=False)
    after = replace(ticket, status=("pending", "open")[i % 2], updated_at=at)
    events = events_of_change(ticket, after, by=AGENT, at=at, messages=[note])
    return store.save_ticket(after, expected_version=ticket.version, events=events,
                             messages=[note])


def run(kind: str, tickets: int, changes: int) -> None:
    monkeypatch = pytest.MonkeyPatch()
    with tempfile.TemporaryDirectory() as folder, store_sandbox(kind, monkeypatch):
        store = make_store(kind, Path(folder))
        made = [store.create_ticket(new_ticket(f"t{n}"))[0] for n in range(tickets)]
        start = time.perf_counter()
        for ticket in made:
            for i in range(changes):
                ticket = change(store, ticket, i)
        save = (time.perf_counter() - start) / (tickets * changes)
        number = made[-1].number
        get = timed(lambda: store.get_ticket(number), 50)
        listing = timed(lambda: store.list_events(number), 50)
        events = len(store.list_events(number))
        line = (f"{kind:8} save with events {save * 1000:7.2f} ms ({save / get:5.1f} x get_ticket)"
                f"  list_events of {events} {listing * 1000:6.2f} ms ({listing / get:4.1f} x)")
        if kind == "dynamodb":
            current = store.get_ticket(number)
            counter = Requests(store)
            store.list_events(number)
            listed = counter.count
            change(store, current, changes)
            line += f"  requests: list_events {listed}, save {counter.count - listed}"
        print(line)
    monkeypatch.undo()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--stores", default="sqlite,dynamodb")
    args = parser.parse_args()
    for kind in args.stores.split(","):
        run(kind, args.tickets if kind == "sqlite" else max(args.tickets // 10, 1),
            args.changes)


if __name__ == "__main__":
    main()
