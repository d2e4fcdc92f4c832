"""How long a password-reset request takes for an address with an account and for one
without, in real time: the portal's own page over HTTP semantics (Flask's client), the
SQLite store, the outbox mailer (or the mail queue, where mail is queued), the system
clock. Once with the padding (accounts.password_reset_answer_ms) and once without, to
show what it hides.

    .venv/bin/python -m bench.reset_timing [--tries 25]

Prints figures; asserts nothing (tests/accounts/test_reset_timing.py holds the rule on
the fixed clock).
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loket.clock import SystemClock  # noqa: E402
from loket.config import load_portal_config  # noqa: E402
from loket.domain.accounts import Role  # noqa: E402
from loket.mail.outbox import OutboxMailer  # noqa: E402
from loket.services.accounts import invite  # noqa: E402
from loket.services.context import Services  # noqa: E402
from loket.settings import Settings  # noqa: E402
from loket.storage.sqlite import SQLiteStore  # noqa: E402
from loket.web.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def portal(folder: Path, answer_ms: int):
    config = load_portal_config(ROOT / "site_config")
    config.accounts.password_reset_answer_ms = answer_ms
    services = Services(config=config, store=SQLiteStore(folder / "loket.db"),
                        mail=OutboxMailer(folder / "outbox"), clock=SystemClock(),
                        base_url="http://portal.test", mail_from="support@nordwind.example",
                        secret_key="bench")
    app = create_app(Settings(site_dir=folder / "no-site", config_dir=ROOT / "site_config"),
                     services=services)
    return services, app.test_client()


def accounts(services, count: int) -> list[str]:
    """Active agents (no organization needed): a reset is the same for any account."""
    addresses = []
    for i in range(count):
        account, _ = invite(services, f"agent{i}@nordwind.example", organization=None,
                            products=["planner"], role=Role.AGENT)
        services.store.save_account(replace(account, password_hash="$argon2id$stand-in"))
        addresses.append(account.email)
    return addresses


CLIENTS = itertools.count()


def time_requests(client, addresses: list[str]) -> list[float]:
    times = []
    for address in addresses:
        i = next(CLIENTS)
        environ = {"REMOTE_ADDR": f"10.{i // 62500}.{i // 250 % 250}.{i % 250}"}  # Under every limit.
        page = client.get("/portal/password-reset", environ_base=environ)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
        start = time.perf_counter()
        response = client.post("/portal/password-reset", environ_base=environ, data={
            "email": address, "csrf_token": token.group(1)})
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return times


def figures(label: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p90 = statistics.quantiles(ms, n=10, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return (f"{label:8} median {statistics.median(ms):7.1f} ms  p90 {p90:7.1f} ms  "
            f"min {ms[0]:7.1f}  max {ms[-1]:7.1f}  ({len(ms)} tries)")


def run(answer_ms: int, tries: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        services, client = portal(Path(folder), answer_ms)
        known = accounts(services, tries)
        unknown = [f"nobody{i}@nordwind.example" for i in range(tries)]
        time_requests(client, ["warm-up@nordwind.example"])
        # Interleaved, so drift on a busy machine touches both alike.
        pairs = [time_requests(client, [k, u]) for k, u in zip(known, unknown)]
        print(f"password_reset_answer_ms={answer_ms}")
        print("  " + figures("known", [p[0] for p in pairs]))
        print("  " + figures("unknown", [p[1] for p in pairs]))
        delta = statistics.median(p[0] - p[1] for p in pairs) * 1000
        print(f"  median of (known - unknown) per pair: {delta:+.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=25)
    args = parser.parse_args()
    run(0, args.tries * 4)  # Without padding: what the padding has to hide.
    run(load_portal_config(ROOT / "site_config").accounts.password_reset_answer_ms,
        args.tries)


if __name__ == "__main__":
    main()
