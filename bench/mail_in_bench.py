"""Mail-in throughput: messages per second through take_in_mail, over every e-mail in
tests/fixtures/mail/ (real mail of several projects' parser suites, and ours).

The real services over SQLite, a blob folder and the outbox (or the mail queue, where
there is one) in a temporary folder; limits raised so every mail is taken in on its
merits, not refused as the 21st of its sender. Each round takes the mail in on a fresh
store (new tickets, replies and refusals, kept with their raw mail), then the same mail
again (each one a re-delivery: recognised, nothing new). Figures are in wall-clock
time and per CPU second of this process (the machine may be shared: wall time counts
the neighbours too).

Baselines in the same run: the parse alone (email.message_from_bytes with
policy.default and a read of the headers mail-in uses: the floor of any mail-in), and
with `--checkout DIR` the same measure on another checkout's code (`git worktree add
../before <commit>`). The issue's figure from before was 60-75 messages a second.

Run: `make bench`, or `python bench/mail_in_bench.py [--rounds N] [--checkout DIR]`.
"""

from __future__ import annotations

import argparse
import email
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The portal configuration the code under measure understands (another checkout's own).
CONFIG = Path(os.environ.get("MAIL_IN_BENCH_CONFIG", ROOT / "site_config"))
HEADERS = ("From", "Subject", "Message-ID", "In-Reply-To", "References", "To", "Cc",
           "Content-Type", "Auto-Submitted", "Precedence")


def corpus() -> list[bytes]:
    """Every e-mail in tests/fixtures/mail/ (as tests/mail/conftest.py lists them)."""
    folder = ROOT / "tests" / "fixtures" / "mail"
    return [path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix not in (".md", ".yml")
            and not path.name.endswith("_reply_text")]


def services_in(folder: Path):
    from loket.blobs.folder import FolderBlobs
    from loket.clock import FixedClock
    from loket.config import load_portal_config
    from loket.mail.outbox import OutboxMailer
    from loket.services.context import Services
    from loket.storage.sqlite import SQLiteStore

    config = load_portal_config(CONFIG)
    config.submissions.per_hour = config.submissions.per_day = 1_000_000
    return Services(config=config, store=SQLiteStore(folder / "loket.db"),
                    mail=OutboxMailer(folder / "outbox"),
                    clock=FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)),
                    base_url="http://portal.test",
                    mail_from="Nordwind Support <support@nordwind.example>",
                    blobs=FolderBlobs(folder / "blobs", secret_key="bench"))


def forget_parsed_headers() -> None:
    """Each pass starts as on mail never seen (within a pass, values many mails share
    are parsed once, as in a real process). Older code remembers nothing."""
    try:
        from loket.mail.parsing import forget_parsed_headers as forget
    except ImportError:
        return
    forget()


def timed(work, mails: list[bytes]) -> dict:
    """Wall and CPU messages per second for `work` over `mails`, and what they became."""
    forget_parsed_headers()
    actions: Counter = Counter()
    wall, cpu = time.perf_counter(), time.process_time()
    for raw in mails:
        actions[work(raw)] += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": len(mails) / wall, "cpu": len(mails) / cpu, "actions": dict(actions)}


def parse_alone(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=policy.default)
    for name in HEADERS:
        try:
            msg.get_all(name)
        except Exception:  # As mail-in does: a header the parser fails on is read raw.
            pass
    return "parsed"


def rounds(count: int) -> list[dict]:
    """`count` rounds of first delivery and re-delivery with the code on sys.path."""
    from loket.services.mail_in import take_in_mail

    mails, results = corpus(), []
    for _ in range(count):
        with tempfile.TemporaryDirectory() as folder:
            services = services_in(Path(folder))

            def take_in(raw: bytes) -> str:
                decision = take_in_mail(services, raw)
                return "re-delivered" if "already" in decision.reason else decision.action

            results.append({"first delivery": timed(take_in, mails),
                            "re-delivery": timed(take_in, mails)})
    return results


def other_checkout(checkout: Path, count: int) -> list[dict]:
    """The same rounds on another checkout's code, in a process of its own."""
    code = (f"import sys, json; sys.path[:0] = [{str(checkout / 'functions')!r}, "
            f"{str(ROOT)!r}]; import logging; logging.disable(logging.CRITICAL); "
            f"from bench.mail_in_bench import rounds; print(json.dumps(rounds({count})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT, env={**os.environ, "MAIL_IN_BENCH_CONFIG":
                                                     str(checkout / "site_config")})
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(label: str, figures: dict) -> None:
    print(f"  {label:<42} {figures['wall']:6.1f} messages/s wall, {figures['cpu']:6.1f} per "
          f"CPU second  {figures['actions']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="fresh stores (each printed)")
    parser.add_argument("--checkout", type=Path,
                        help="also measure this checkout's code (e.g. ../before)")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]
    logging.disable(logging.CRITICAL)  # Broken mail logs its parse errors; not timed here.
    mails = corpus()
    print(f"mail-in over {len(mails)} e-mails from tests/fixtures/mail/ "
          "(the issue's figure from before: 60-75 messages/s)")
    show("parse alone (the floor)", timed(parse_alone, mails))
    for i, result in enumerate(rounds(args.rounds), start=1):
        for label, figures in result.items():
            show(f"this checkout, round {i}, {label}", figures)
    if args.checkout:
        for i, result in enumerate(other_checkout(args.checkout.resolve(), args.rounds), 1):
            for label, figures in result.items():
                show(f"{args.checkout}, round {i}, {label}", figures)


if __name__ == "__main__":
    main()
