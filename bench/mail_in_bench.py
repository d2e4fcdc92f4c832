"""Mail-in throughput: messages per second through take_in_mail, over every e-mail in
tests/fixtures/mail/ (real mail of several projects' parser suites, and ours).

The real services over SQLite, a blob folder and the outbox (or the mail queue, where
there is one) in a temporary folder; limits raised so every mail is taken in on its
merits, not refused as the 21st of its sender. Three passes: the mail first (new
tickets, replies and refusals, kept with their raw mail), the same mail again (each one
a re-delivery: recognised, nothing new), and the first pass again on a fresh store, for
a second figure; each in wall-clock time and per CPU second of this process. The
issue's baseline is 60-75 messages a second.

Run: `make bench`, or `python bench/mail_in_bench.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.blobs.folder import FolderBlobs  # noqa: E402
from loket.clock import FixedClock  # noqa: E402
from loket.config import load_portal_config  # noqa: E402
from loket.mail.outbox import OutboxMailer  # noqa: E402
from loket.mail.parsing import forget_parsed_headers  # noqa: E402
from loket.services.context import Services  # noqa: E402
from loket.services.mail_in import take_in_mail  # noqa: E402
from loket.storage.sqlite import SQLiteStore  # noqa: E402
from tests.mail.conftest import MAIL_FROM, corpus_messages  # noqa: E402
from tests.paths import SITE_CONFIG  # noqa: E402

BASELINE = (60, 75)


def services_in(folder: Path) -> Services:
    config = load_portal_config(SITE_CONFIG)
    config.submissions.per_hour = config.submissions.per_day = 1_000_000
    return Services(config=config, store=SQLiteStore(folder / "loket.db"),
                    mail=OutboxMailer(folder / "outbox"),
                    clock=FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)),
                    base_url="http://portal.test", mail_from=MAIL_FROM,
                    blobs=FolderBlobs(folder / "blobs", secret_key="bench"))


def one_pass(services: Services, mails: list[bytes]) -> tuple[float, float, Counter]:
    """Wall and CPU seconds for taking in `mails`, and what they became."""
    actions: Counter = Counter()
    # Every pass starts as on mail never seen: no parsed header is remembered from the
    # pass before (within a pass, values that many mails share are parsed once, as in
    # a real process).
    forget_parsed_headers()
    # CPU time too: the machine may be shared, and wall time measures the neighbours
    # as well (and the disk: SQLite commits, the blob and outbox files).
    wall, cpu = time.perf_counter(), time.process_time()
    for raw in mails:
        decision = take_in_mail(services, raw)
        actions[decision.action if "already" not in decision.reason else "re-delivered"] += 1
    return time.perf_counter() - wall, time.process_time() - cpu, actions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2,
                        help="fresh stores to take the corpus in on (each printed)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # Broken mail logs its parse errors; not timed here.
    mails = [path.read_bytes() for path in corpus_messages()]
    print(f"mail-in over {len(mails)} e-mails from tests/fixtures/mail/ "
          f"(baseline {BASELINE[0]}-{BASELINE[1]} messages/s)")
    for round_ in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as folder:
            services = services_in(Path(folder))
            first = one_pass(services, mails)
            again = one_pass(services, mails)
        for label, (wall, cpu, actions) in (("first delivery", first), ("re-delivery", again)):
            print(f"  round {round_} {label:<14} {len(mails) / wall:6.1f} messages/s wall, "
                  f"{len(mails) / cpu:6.1f} per CPU second  ({dict(sorted(actions.items()))})")

if __name__ == "__main__":
    main()
