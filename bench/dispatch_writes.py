"""The mail dispatcher's SQLite write transactions per receipt (store._write calls during
send_queued), with G new tickets queued before each round: `loket serve`'s mail process,
woken per submission, finds one or a few (G=1), after a burst many (G=20). Each such
write is one the server's writers, in another process, meet (their pages read again,
the file's write lock). Deterministic: no timing, so the machine's load does not matter.
Another checkout's code: PYTHONPATH=DIR/functions.
Run: `python bench/dispatch_writes.py 1 4 20`.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKETS = 60


def submit(app, subject: str) -> None:
    body = json.dumps({"email": "ann@example.com", "product": "planner", "language": "en",
                       "type": "problem-report", "subject": subject, "description": "It fails.",
                       "environment": "production", "users_affected": 3}).encode()
    status = []
    app.wsgi_app({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/tickets",
                  "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
                  "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
                  "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                  "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
                  "wsgi.errors": sys.stderr},
                 lambda s, headers, exc=None: status.append(s))
    assert status[0].startswith("201"), status


def writes_per_receipt(group: int) -> float:
    import loket.services.mail_dispatch as dispatch
    from loket.settings import Settings
    from loket.web.app import create_app

    code = Path(dispatch.__file__).resolve().parents[3]  # the checkout imported
    var = Path(tempfile.mkdtemp(prefix="loket-writes-"))
    app = create_app(Settings(sqlite_path=var / "loket.db", outbox_dir=var / "outbox",
                              blob_dir=var / "blobs", site_dir=ROOT / "site",
                              config_dir=code / "site_config",
                              search_index=ROOT / "search" / "index"))
    services = app.extensions["loket"]
    services.config.submissions.per_hour = services.config.submissions.per_day = 10**9
    writes, real = [], services.store._write
    services.store._write = lambda: writes.append(1) or real()
    counted = sent = 0
    for round_ in range(TICKETS // group):
        for n in range(group):
            submit(app, f"Run #{round_ * group + n}")
        before = len(writes)
        sent += dispatch.send_queued(services).sent
        counted += len(writes) - before
    assert sent == TICKETS // group * group, sent
    return counted / sent


def main() -> None:
    logging.disable(logging.CRITICAL)
    sys.path.append(str(ROOT / "functions"))  # after PYTHONPATH's checkout, if any
    for group in map(int, sys.argv[1:] or ["1", "4", "20"]):
        print(f"rounds of {group:>2} tickets: {writes_per_receipt(group):.2f} write "
              f"transactions per receipt")


if __name__ == "__main__":
    main()
