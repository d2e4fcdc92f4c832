"""User-space instructions the mail dispatcher spends per receipt, load-independent.

CPU figures (submit_cpu.py, dispatch_bench.py) swing with whatever else runs on a
shared machine; instruction counts do not. This runs, under valgrind (cachegrind), a
process that submits N tickets as submit_cpu.py does ('Run 1 #i' subjects) and then
sends their receipts with one send_queued(), and one that only submits them; the
difference over N is the dispatcher's cost per receipt (its suggestions, MIME, outbox
file and store writes; the kernel's part of the file writes is not counted). Both warm
up first (imports, templates, the opened index).

Run: `python bench/dispatch_instructions.py [N] [CHECKOUT ...]` (default N=200 and this
checkout; give another checkout, e.g. a `git worktree` of an older commit with this
one's search/index and site linked in, to compare in one run). About 3 minutes a
checkout.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 30


def child(root: str, n: int, send: bool) -> None:
    sys.path[:0] = [root, str(Path(root) / "functions")]
    from bench import submit_cpu as sc
    from loket.services.mail_dispatch import send_queued

    app = sc.loket_app(Path(tempfile.mkdtemp(prefix="loket-instr-")))
    services = app.extensions["loket"]
    for i in range(WARM_UP):
        sc.post(app, json.dumps({**sc.TICKET, "subject": f"warm {i}"}).encode())
    send_queued(services)
    for i in range(n):
        sc.post(app, json.dumps({**sc.TICKET, "subject": f"Run 1 #{i}"}).encode())
    if send:
        assert send_queued(services).sent == n


def instructions(root: str, n: int, mode: str) -> int:
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                           "--cachegrind-out-file=/dev/null", sys.executable, __file__,
                           "--child", root, str(n), mode],
                          capture_output=True, text=True, check=True)
    return int(re.search(r"I\s+refs:\s+([\d,]+)", done.stderr).group(1).replace(",", ""))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "send")
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    for root in sys.argv[2:] or [str(ROOT)]:
        per = (instructions(root, n, "send") - instructions(root, n, "submit")) / n
        print(f"{root}: {per / 1e6:.3f} M instructions per receipt dispatched (N={n})")


if __name__ == "__main__":
    main()
