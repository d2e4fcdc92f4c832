"""CPU time of one ticket submission, in process, beside a bare Flask JSON POST.

Wall-clock figures (api_latency.py, submit_load.py) swing by 2-3x when other work
shares the machine; the CPU time a request costs the thread that serves it swings far
less, and it is what bounds a server's throughput (one Python process serves on one
core at a time). So this calls both WSGI apps directly, no HTTP server, and prints CPU
and wall time per request, and their ratio; then the CPU the mail dispatcher spends per
receipt (rendered with its suggestions, written to the outbox), which `loket serve`
spends in its mail process, not in the request. Run: `python bench/submit_cpu.py`.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask, request

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions"))

TICKET = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
          "subject": "Export to Excel fails", "description": "The export shows an error.",
          "environment": "production", "users_affected": 3}


def bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/api/tickets")
    def create():
        return {"number": 1, "subject": request.get_json()["subject"]}, 201

    return app


def loket_app(var: Path):
    from loket.settings import Settings
    from loket.web.app import create_app

    settings = Settings(sqlite_path=var / "loket.db", outbox_dir=var / "outbox",
                        blob_dir=var / "blobs", site_dir=ROOT / "site",
                        config_dir=ROOT / "site_config", search_index=ROOT / "search" / "index")
    app = create_app(settings)
    limits = app.extensions["loket"].config.submissions
    limits.per_hour = limits.per_day = 10**9
    return app


def post(app: Flask, body: bytes) -> None:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/tickets",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "wsgi.errors": sys.stderr}
    status = []
    result = app.wsgi_app(environ, lambda s, headers, exc=None: status.append(s))
    b"".join(result)
    assert status[0].startswith("201"), status


def measure(app: Flask, rounds: int) -> tuple[float, float]:
    """CPU and wall milliseconds per request: the median of five runs of `rounds`."""
    cpu, wall = [], []
    for run in range(5):
        bodies = [json.dumps({**TICKET, "subject": f"Run {run} #{i}"}).encode()
                  for i in range(rounds)]
        started_cpu, started = time.thread_time(), time.perf_counter()
        for body in bodies:
            post(app, body)
        cpu.append((time.thread_time() - started_cpu) / rounds * 1000)
        wall.append((time.perf_counter() - started) / rounds * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="requests per run (5 runs)")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="loket-cpu-"))
    bare, loket = bare_app(), loket_app(var)
    for app in (bare, loket):  # Warm up: imports, templates, the first connection.
        for i in range(20):
            post(app, json.dumps({**TICKET, "subject": f"warm-up {i}"}).encode())
    bare_cpu, bare_wall = measure(bare, args.rounds)
    loket_cpu, loket_wall = measure(loket, args.rounds)
    print(f"{args.rounds} x 5 requests each, in process (no HTTP server), SQLite WAL")
    print(f"{'':<28} {'CPU ms':>8} {'wall ms':>8}")
    print(f"{'bare Flask JSON POST':<28} {bare_cpu:>8.3f} {bare_wall:>8.3f}")
    print(f"{'Loket POST /api/tickets':<28} {loket_cpu:>8.3f} {loket_wall:>8.3f}")
    print(f"Loket's submit costs {loket_cpu / bare_cpu:.1f}x the bare request's CPU "
          f"({loket_wall / bare_wall:.1f}x its wall time)")
    from loket.services.mail_dispatch import send_queued

    services = loket.extensions["loket"]
    started = time.thread_time()
    sent = send_queued(services).sent
    if sent:
        print(f"mail dispatcher: {(time.thread_time() - started) / sent * 1000:.3f} CPU ms per "
              f"receipt ({sent} rendered with suggestions and written), outside the request")


if __name__ == "__main__":
    main()
