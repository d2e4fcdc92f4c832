"""Median latency of submitting and looking up a ticket through a real HTTP server.

Both servers are what `loket serve` runs, each in a process of its own: `loket serve`
itself (waitress, its mail process sending the receipts beside the requests) and a bare
Flask app served by waitress with the same settings (bench/submit_load.py starts both).
One keep-alive client sends one request after another, so the figures are latency, not
throughput; Loket's rows are printed next to the bare app's GET and JSON POST of the
same run. Run: `make bench`; `--variant mail-later+no-store` adds the same request with
its store write replaced by nothing, the most any store could give (submit_load.py's
VARIANTS).

Goal (issue 13): POST /api/tickets at most 2x the bare Flask JSON POST median.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submit_load import (TICKET, THREADS, bare_server, free_port,  # noqa: E402
                               loket_server, variant_name)

ROUNDS = 300


def timed(conn: http.client.HTTPConnection, method: str, path: str, body=None) -> tuple[float, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    start = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status < 300, (response.status, data)
    return elapsed, data


def measure(bare_port: int, loket_port: int,
            variants: dict[str, int] | None = None) -> dict[str, list[float]]:
    """The requests in turn, round after round, so a load that changes during the run
    weighs on every server alike; each lookup is of the ticket just submitted. A
    variant's POST is measured after Loket's (bench/submit_load.py's VARIANTS; the
    ceilings store no ticket to look up)."""
    bare = http.client.HTTPConnection("127.0.0.1", bare_port, timeout=30)
    loket = http.client.HTTPConnection("127.0.0.1", loket_port, timeout=30)
    others = {name: http.client.HTTPConnection("127.0.0.1", port, timeout=30)
              for name, port in (variants or {}).items()}
    results: dict[str, list[float]] = {name: [] for name in [*NAMES, *map(variant_row, others)]}
    for i in range(-20, ROUNDS):  # The first 20 warm up: imports, templates, connections.
        ticket = {**TICKET, "subject": f"Latency #{i}"}
        times = [timed(bare, "GET", "/hello")[0],
                 timed(bare, "POST", "/api/tickets", ticket)[0]]
        elapsed, data = timed(loket, "POST", "/api/tickets", ticket)
        receipt = json.loads(data)
        times += [elapsed, timed(loket, "GET", f"/api/tickets/{receipt['number']}"
                                               f"?token={receipt['token']}")[0]]
        times += [timed(conn, "POST", "/api/tickets", ticket)[0] for conn in others.values()]
        if i >= 0:
            for name, took in zip(results, times):
                results[name].append(took)
    for conn in [bare, loket, *others.values()]:
        conn.close()
    return results


NAMES = ("bare Flask GET /hello (baseline)", "bare Flask POST (JSON)", "POST /api/tickets",
         "GET /api/tickets/{n}?token=")


def variant_row(variant: str) -> str:
    return f"POST ({variant})"


def row(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return f"{name:<34} {statistics.median(times):8.2f} {q[89]:8.2f} {q[98]:8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", default=[], type=variant_name,
                        metavar="NAME", help="also measure the POST of this variant of "
                        "Loket (repeatable; bench/submit_load.py --help lists them), e.g. "
                        "mail-later+no-store, the request with its store write replaced "
                        "by nothing")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    try:
        with contextlib.ExitStack() as running:
            bare = running.enter_context(bare_server(free_port(), THREADS))
            loket = running.enter_context(loket_server(var, free_port(), THREADS))
            variants = {}
            for variant in args.variant:
                (var / variant).mkdir()
                variants[variant] = running.enter_context(loket_server(
                    var / variant, free_port(), THREADS, variant=variant)).port
            results = measure(bare.port, loket.port, variants)
    finally:
        shutil.rmtree(var, ignore_errors=True)
    print(f"{ROUNDS} rounds of the requests after 20 to warm up, one keep-alive client "
          f"each, `loket serve` and a bare Flask app on waitress ({THREADS} threads) in processes of their own, "
          f"SQLite WAL, outbox mail sent by loket serve's mail process")
    print(f"{'endpoint':<34} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for name, times in results.items():
        print(row(name, times))
    base = statistics.median(results["bare Flask GET /hello (baseline)"])
    for name in ("POST /api/tickets", "GET /api/tickets/{n}?token="):
        print(f"{name}: {statistics.median(results[name]) / base:.1f}x the baseline median")
    echo = statistics.median(results["bare Flask POST (JSON)"])
    print(f"POST /api/tickets: {statistics.median(results['POST /api/tickets']) / echo:.1f}x "
          "the bare Flask JSON POST median (goal: at most 2x)")
    for variant in variants:
        print(f"{variant_row(variant)}: {statistics.median(results[variant_row(variant)]) / echo:.1f}x "
              "the bare Flask JSON POST median")


if __name__ == "__main__":
    main()
