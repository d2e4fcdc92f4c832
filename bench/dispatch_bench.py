"""CPU the mail dispatcher spends per receipt (its article suggestions, the MIME message,
the outbox file, the store's updates), beside another checkout's code in the same run.

`loket serve` sends mail from a process of its own at a lower priority, but on a small
machine that process still takes the CPU the server and its clients need: its CPU per
receipt is what to keep small. Tickets are submitted through the web app (as
submit_cpu.py does), then one send_queued() is timed in CPU time of its thread. Three
sets of subjects:

- unique: "Run 3 #17", as submit_cpu.py (every subject different, hardly a word to find);
- judged: the 152 customer subjects of tests/search/judged_queries.yml, once each
  (English and Dutch, typos and synonyms; no subject asked twice);
- judged x4: the same four times over (subjects repeat, as common questions do).

With `--checkout DIR` (e.g. `git worktree add ../before <commit>`) the same is measured
on that checkout's code, alternating with this one's, and the ratio is printed: the
machine may be shared, so compare within one run. The search index is this checkout's
search/index for both. Run: `python bench/dispatch_bench.py [--rounds N] [--checkout DIR]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = ("unique", "judged", "judged x4")


def subjects(name: str) -> list[tuple[str, str, str]]:
    """(subject, language, product) of each ticket of a set."""
    import yaml

    if name == "unique":
        return [(f"Run {i // 200} #{i}", "en", "planner") for i in range(600)]
    judged = yaml.safe_load((ROOT / "tests/search/judged_queries.yml").read_text("utf-8"))
    once = [(e["q"], e["lang"], e.get("product") or "planner") for e in judged]
    return once * (4 if name == "judged x4" else 1)


def measure(code_root: Path, name: str) -> float:
    """CPU ms per receipt of one send_queued() over a set's tickets, in this process."""
    import io
    import time

    sys.path[:0] = [str(code_root / "functions")]
    from loket.settings import Settings
    from loket.services.mail_dispatch import send_queued
    from loket.web.app import create_app

    var = Path(tempfile.mkdtemp(prefix="loket-dispatch-"))
    settings = Settings(sqlite_path=var / "loket.db", outbox_dir=var / "outbox",
                        blob_dir=var / "blobs", site_dir=ROOT / "site",
                        config_dir=code_root / "site_config",
                        search_index=ROOT / "search" / "index")
    app = create_app(settings)
    limits = app.extensions["loket"].config.submissions
    limits.per_hour = limits.per_day = 10**9
    services = app.extensions["loket"]
    for subject, lang, product in subjects(name):
        body = json.dumps({"email": "ann@example.com", "product": product, "language": lang,
                           "type": "problem-report", "subject": subject,
                           "description": "It fails.", "environment": "production",
                           "users_affected": 3}).encode()
        status = []
        app.wsgi_app({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/tickets",
                      "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
                      "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
                      "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
                      "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
                      "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr},
                     lambda s, headers, exc=None: status.append(s))
        assert status[0].startswith("201"), status
    started = time.thread_time()
    sent = send_queued(services).sent
    assert sent == len(subjects(name)), sent
    return (time.thread_time() - started) / sent * 1000


def in_process(code_root: Path, name: str) -> float:
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import logging; "
            f"logging.disable(logging.CRITICAL); from bench.dispatch_bench import measure; "
            f"from pathlib import Path; print(measure(Path({str(code_root)!r}), {name!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="runs per set and checkout")
    parser.add_argument("--checkout", type=Path, help="also measure this checkout's code")
    args = parser.parse_args()
    roots = {"this checkout": ROOT}
    if args.checkout:
        roots[str(args.checkout)] = args.checkout.resolve()
    print("mail dispatcher, CPU ms per receipt (median of rounds; each run in a fresh "
          "process and store)")
    print(f"{'set':<12}" + "".join(f"{label:>22}" for label in roots)
          + ("   ratio" if args.checkout else ""))
    for name in SETS:
        runs: dict[str, list[float]] = {label: [] for label in roots}
        for _ in range(args.rounds):  # alternated: the machine's load falls on both
            for label, root in roots.items():
                runs[label].append(in_process(root, name))
        medians = [statistics.median(runs[label]) for label in roots]
        line = f"{name:<12}" + "".join(f"{m:>22.3f}" for m in medians)
        if args.checkout:
            line += f"   {medians[1] / medians[0]:5.1f}x less" if medians[0] else ""
        print(line)


if __name__ == "__main__":
    main()
