"""Median latency of submitting and looking up a ticket through a real HTTP server.

Prints the figures next to a bare Flask "hello" endpoint served the same way in the
same run, so the overhead of Loket itself is visible. Run: `make bench`.
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask, request

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.services.mail_dispatch import MailProcess  # noqa: E402
from loket.settings import Settings  # noqa: E402
from loket.web.app import create_app  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402

ROUNDS = 300
TICKET = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
          "subject": "Export to Excel fails", "description": "The export shows an error.",
          "environment": "production", "users_affected": 3}


def hello_app() -> Flask:
    app = Flask("hello")
    app.get("/hello")(lambda: {"hello": "world"})
    # The same kind of request as a submit: a JSON body read and answered, 201.
    app.add_url_rule("/echo", "echo", lambda: ({"received": len(request.get_json())}, 201),
                     methods=["POST"])
    return app


def timed(conn: http.client.HTTPConnection, method: str, path: str, body=None) -> tuple[float, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    start = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status < 300, (response.status, data)
    return elapsed, data


def measure(url: str, method: str, path_of, body=None) -> list[float]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    times = [timed(conn, method, path_of(i), body)[0] for i in range(ROUNDS)]
    conn.close()
    return times


def row(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return f"{name:<34} {statistics.median(times):8.2f} {q[89]:8.2f} {q[98]:8.2f}"


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    settings = Settings(sqlite_path=var / "loket.db", outbox_dir=var / "outbox",
                        site_dir=var / "no-site", config_dir=ROOT / "site_config")
    app = create_app(settings)
    app.extensions["loket"].config.submissions.per_hour = 10**9
    app.extensions["loket"].config.submissions.per_day = 10**9
    results = {}
    with LiveServer(hello_app()) as hello:
        results["bare Flask GET /hello (baseline)"] = measure(hello.url, "GET", lambda i: "/hello")
        results["bare Flask POST /echo (JSON)"] = measure(hello.url, "POST", lambda i: "/echo",
                                                         TICKET)
    services = app.extensions["loket"]
    # As `loket serve` runs: the mail process, woken by every write that queues mail,
    # renders and sends the receipts beside the requests (services/mail_dispatch.py).
    mail_loop = MailProcess(settings, 15).start()
    services.store.mail_listener = mail_loop.wake
    with LiveServer(app) as loket:
        results["POST /api/tickets"] = measure(loket.url, "POST", lambda i: "/api/tickets", TICKET)
        store = app.extensions["loket"].store
        first = app.extensions["loket"].config.first_ticket_number
        keys = {n: store.get_ticket(n).access_key for n in range(first, first + ROUNDS)}
        results["GET /api/tickets/{n}?token="] = measure(
            loket.url, "GET", lambda i: f"/api/tickets/{first + i}?token={keys[first + i]}")
    mail_loop.stop()
    receipts = len(list((var / "outbox").glob("*.eml")))
    print(f"{ROUNDS} requests each, one keep-alive client, waitress, SQLite WAL, outbox mail "
          f"(mail process running: {receipts} receipts written)")
    print(f"{'endpoint':<34} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for name, times in results.items():
        print(row(name, times))
    base = statistics.median(results["bare Flask GET /hello (baseline)"])
    for name in ("POST /api/tickets", "GET /api/tickets/{n}?token="):
        print(f"{name}: {statistics.median(results[name]) / base:.1f}x the baseline median")
    echo = statistics.median(results["bare Flask POST /echo (JSON)"])
    print(f"POST /api/tickets: {statistics.median(results['POST /api/tickets']) / echo:.1f}x "
          "the bare Flask JSON POST median (goal: at most 2x)")


if __name__ == "__main__":
    main()
