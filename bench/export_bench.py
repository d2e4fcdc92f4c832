"""Export and import throughput on both stores, the size of an export, and the DynamoDB
write units a migration costs (#15).

Fills a SQLite store with the sample data and N generated tickets (tests/sample_data.py:
every ticket with its receipt, every tenth with a reply), then times
SQLite -> export -> DynamoDB (moto) -> export -> SQLite, and prints tickets per second
for each step with, as a baseline measured in the same run, a bare `SELECT * FROM
tickets` turned into JSON lines: the ratio says what the ports and records cost over
reading the rows, whatever the machine's load. DynamoDB runs under moto, in memory, so
its figures say little about AWS (where the import is bound by write capacity and
BatchWriteItem round trips, and can run several segments at once).

Run: `python bench/export_bench.py` (10,000 tickets) or `--tickets 2000`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.blobs.folder import FolderBlobs  # noqa: E402
from loket.services.export import export_data, import_data  # noqa: E402
from loket.services.migrate import estimate  # noqa: E402
from loket.storage.data_port import data_port  # noqa: E402
from tests.sample_data import fill, many_tickets  # noqa: E402
from tests.stores import make_store, store_sandbox  # noqa: E402


def timed(step):
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def baseline(store) -> float:
    """Seconds to read every ticket row and write it as a JSON line to nowhere."""
    conn = store._connection()
    started = time.perf_counter()
    for row in conn.execute("SELECT * FROM tickets ORDER BY number"):
        json.dumps(dict(row), sort_keys=True)
    return time.perf_counter() - started


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run(tickets: int, work: Path) -> None:
    sqlite = make_store("sqlite", work / "a")
    blobs = FolderBlobs(work / "a" / "blobs", secret_key="bench")
    fill(sqlite, blobs)
    _, seconds = timed(lambda: many_tickets(sqlite, tickets))
    total = tickets + 2
    print(f"filled SQLite with {total} tickets through create_ticket in {seconds:.1f} s")
    base = baseline(sqlite)
    print(f"baseline (bare SELECT + JSON of the ticket rows): {total / base:,.0f} tickets/s")

    def report(name: str, seconds: float) -> None:
        print(f"{name:<28} {seconds:7.2f} s  {total / seconds:9,.0f} tickets/s  "
              f"{seconds / base:6.1f}x baseline")

    units = estimate(data_port(sqlite), blobs)
    print(f"DynamoDB estimate: {units.items} items, {units.bytes / 1e6:.1f} MB, "
          f"{units.write_units} write units ({units.write_units / total:.1f} per ticket)")
    _, seconds = timed(lambda: export_data(data_port(sqlite), blobs, work / "x1",
                                           source="sqlite"))
    report("export SQLite", seconds)
    print(f"export size: {folder_size(work / 'x1') / 1e6:.1f} MB "
          f"({folder_size(work / 'x1') / total / 1e3:.2f} KB per ticket)")
    round_trip = seconds
    with pytest.MonkeyPatch.context() as monkeypatch, store_sandbox("dynamodb", monkeypatch):
        dynamodb = make_store("dynamodb", work / "b")
        _, seconds = timed(lambda: import_data(dynamodb, data_port(dynamodb), None,
                                               work / "x1"))
        report("import DynamoDB (moto)", seconds)
        round_trip += seconds
        _, seconds = timed(lambda: export_data(data_port(dynamodb), None, work / "x2",
                                               source="dynamodb"))
        report("export DynamoDB (moto)", seconds)
        round_trip += seconds
    (work / "c").mkdir()
    back = make_store("sqlite", work / "c")
    _, seconds = timed(lambda: import_data(back, data_port(back), None, work / "x2"))
    report("import SQLite", seconds)
    print(f"round trip SQLite -> export -> DynamoDB -> export: {round_trip:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loket-export-bench-") as work:
        run(args.tickets, Path(work))


if __name__ == "__main__":
    main()
