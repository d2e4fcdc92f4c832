"""Fifty customers at once, through a real HTTP server, on one SQLite file."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from loket.storage.sqlite import SQLiteStore
from tests.api.conftest import VALID, ticket_count
from tests.live_server import LiveServer


def post(url: str, data: dict, key: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(f"{url}/api/tickets", data=json.dumps(data).encode(),
                                     headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_fifty_simultaneous_submissions_get_fifty_consecutive_numbers(app, services, tmp_path):
    services.config.submissions.per_hour = services.config.submissions.per_day = 10_000
    # Every server thread gets its own connection to the same file, as in production.
    services.store = SQLiteStore(tmp_path / "shared.db")
    with LiveServer(app, threads=16) as server, ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda i: post(server.url, {**VALID, "subject": f"Ticket {i}"}),
                                range(50)))
    assert {status for status, _ in results} == {201}
    numbers = sorted(body["number"] for _, body in results)
    first = services.config.first_ticket_number
    assert numbers == list(range(first, first + 50))
    subjects = {services.store.get_ticket(n).subject for n in numbers}
    assert subjects == {f"Ticket {i}" for i in range(50)}


def test_concurrent_retries_with_one_key_make_no_duplicates(app, services):
    services.config.submissions.per_hour = services.config.submissions.per_day = 10_000
    with LiveServer(app, threads=16) as server, ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(
            lambda i: post(server.url, {**VALID, "subject": f"Ticket {i % 3}"}, key=f"key-{i % 3}"),
            range(30)))
    by_key: dict[str, set[int]] = {}
    for i, (_, body) in enumerate(results):
        by_key.setdefault(f"key-{i % 3}", set()).add(body["number"])
    assert all(len(numbers) == 1 for numbers in by_key.values())
    assert sorted(s for s, _ in results).count(201) == 3
    assert ticket_count(services) == 3
