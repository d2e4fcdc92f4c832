"""From a customer's "Send" on a closed ticket to the agent seeing it in the desk queue
(issue #11, defect 2): the information starts a follow-up ticket in the same request,
so the time is that request plus the agent's next queue load, with no timer or sweep
between. Printed next to the same two requests on an open ticket (information added,
queue loaded) measured in the same run, as a ratio.

In process (Flask's test client, SQLite in a temporary folder): the figures are the
application's own time, without a network. Run: .venv/bin/python bench/closed_send_to_queue.py
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.clock import SystemClock  # noqa: E402
from loket.config import load_portal_config  # noqa: E402
from loket.domain.accounts import Role  # noqa: E402
from loket.mail.outbox import OutboxMailer  # noqa: E402
from loket.services.accounts import invite  # noqa: E402
from loket.services.context import Services  # noqa: E402
from loket.services.passwords import hash_password  # noqa: E402
from loket.services.sessions import start_session  # noqa: E402
from loket.services.status import close_ticket  # noqa: E402
from loket.services.submission import submit_ticket  # noqa: E402
from loket.settings import Settings  # noqa: E402
from loket.storage.sqlite import SQLiteStore  # noqa: E402
from loket.web.app import create_app  # noqa: E402
from loket.web.auth import SESSION_COOKIE  # noqa: E402

ROUNDS = 40
AGENT = "agent@nordwind.example"
TICKET = {"email": "zed@elsewhere.example", "product": "planner", "type": "problem-report",
          "subject": "Export fails", "description": "The export shows an error."}


def setup(folder: Path):
    config = load_portal_config(ROOT / "site_config")
    config.submissions.per_hour = config.submissions.per_day = 1_000_000
    services = Services(config=config, store=SQLiteStore(folder / "loket.db"),
                        mail=OutboxMailer(folder / "outbox"), clock=SystemClock(),
                        base_url="http://portal.test", mail_from="support@nordwind.example")
    app = create_app(Settings(site_dir=folder / "no-site", config_dir=ROOT / "site_config"),
                     services=services)
    invite(services, AGENT, organization=None, products=["planner"], role=Role.AGENT)
    services.store.save_account(replace(services.store.get_account(AGENT), first_name="A",
                                        last_name="Gent",
                                        password_hash=hash_password(services, "x" * 20)))
    agent = app.test_client()
    secret, _ = start_session(services, services.store.get_account(AGENT))
    agent.set_cookie(SESSION_COOKIE, secret, domain="localhost")
    return services, app, agent


def one_round(services, app, agent, *, closed: bool) -> float:
    ticket = submit_ticket(services, TICKET, client_address="bench").ticket
    if closed:
        close_ticket(services, ticket.number)
    customer = app.test_client()
    start = time.perf_counter()
    sent = customer.post(f"/portal/tickets/{ticket.number}/messages"
                         f"?token={ticket.access_key}&lang=en", data={"body": "It is back."})
    shown = int(re.search(r"/portal/tickets/(\d+)", sent.headers["Location"]).group(1))
    queue = agent.get("/desk/?sort=newest").get_data(as_text=True)
    elapsed = (time.perf_counter() - start) * 1000
    assert f'data-number="{shown}"' in queue, "the agent does not see it"
    assert (shown != ticket.number) == closed
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        services, app, agent = setup(Path(tmp))
        one_round(services, app, agent, closed=True)  # Warm up templates and caches.
        open_ms, closed_ms = [], []
        for _ in range(ROUNDS):
            open_ms.append(one_round(services, app, agent, closed=False))
            closed_ms.append(one_round(services, app, agent, closed=True))
    base, closed = statistics.median(open_ms), statistics.median(closed_ms)
    print(f"Send on a closed ticket -> in the agent's queue: median {closed:.1f} ms "
          f"(follow-up made, queue loaded; {ROUNDS} rounds)")
    print(f"baseline, Send on an open ticket -> queue loaded: median {base:.1f} ms")
    print(f"ratio closed/open: {closed / base:.2f}")


if __name__ == "__main__":
    main()
