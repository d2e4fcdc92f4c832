"""Schemathesis over the API, in-process: cases sent, answers by status, server errors and
failed checks. The test (tests/api/test_fuzz.py) runs the same with fewer examples and
insists on zero; this prints the figures. Run: `.venv/bin/python bench/api_fuzz.py [N]`
(N examples per operation, default 50)."""

from __future__ import annotations

import dataclasses
import logging
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.blobs.folder import FolderBlobs  # noqa: E402
from loket.clock import FixedClock  # noqa: E402
from loket.config import load_portal_config  # noqa: E402
from loket.mail.outbox import OutboxMailer  # noqa: E402
from loket.search.index import build_index_from_site  # noqa: E402
from loket.search.query import WhooshSearcher  # noqa: E402
from loket.services.context import Services  # noqa: E402
from loket.settings import Settings  # noqa: E402
from loket.storage.sqlite import SQLiteStore  # noqa: E402
from loket.web.app import create_app  # noqa: E402
from tests.api.fuzzing import fuzz  # noqa: E402
from tests.paths import SITE_CONFIG  # noqa: E402
from tests.search.small_site import write_small_site  # noqa: E402


def app_in(folder: Path):
    build_index_from_site(write_small_site(folder / "site"), folder / "index")
    services = Services(config=load_portal_config(SITE_CONFIG),
                        store=SQLiteStore(folder / "loket.db"), mail=OutboxMailer(folder / "outbox"),
                        clock=FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)),
                        base_url="http://portal.test", mail_from="Support <support@example.com>",
                        blobs=FolderBlobs(folder / "blobs", secret_key="bench"))
    services = dataclasses.replace(services, search=WhooshSearcher(folder / "index"))
    return create_app(Settings(site_dir=folder / "no-site", config_dir=SITE_CONFIG),
                      services=services)


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    logging.disable(logging.CRITICAL)  # A server error's traceback is counted, not shown.
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run = fuzz(app_in(Path(folder)), max_examples=examples)
        seconds = time.perf_counter() - start
    print(f"examples per operation {examples}: {run.cases} cases in {seconds:.0f} s")
    print("answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(run.statuses.items())))
    print(f"server errors: {run.server_errors}; failed checks: {len(run.failures)}")
    for failure in run.failures:
        print("-" * 60, failure[:1500], sep="\n")


if __name__ == "__main__":
    main()
