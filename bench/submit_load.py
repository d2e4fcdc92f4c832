"""Submissions under load: 1, 8 and 32 concurrent clients against `loket serve`'s
POST /api/tickets and, in the same run, against a bare Flask JSON POST served by the
same server software with the same settings (waitress, as cli.serve starts it).

For each it prints requests per second, p50 and p99 latency, and Loket's share of
the bare figure; then it stops Loket and checks that every ticket a client was told
about (201 with a number) is in the store with the subject that client sent.

Both servers run in their own process on 127.0.0.1, with the submission rate limits
raised in a copy of site_config/ (tickets from one address would be refused after 20
an hour). Each level is bounded in requests and in seconds, and runs on every server
in turn, so a load that changes during the run weighs on all alike. Run: `make bench`, or
`python bench/submit_load.py --levels 8 --requests 50` for a quick look.

Goal (issue 13): at 8 clients, at least 0.5x the bare Flask throughput and p99 under
50 ms. The machine is shared, so compare the two rows of one run, not runs.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "functions"))

TICKET = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
          "subject": "Export to Excel fails", "description": "The export shows an error.",
          "environment": "production", "users_affected": 3}
THREADS = 8  # cli.serve's default --threads
LEVEL_SECONDS = 20.0  # no level runs longer than this, whatever --requests says
MAX_PER_LEVEL = 1600  # nor makes more requests than this
WARM_UP = 20


# -- the servers -------------------------------------------------------------------------

def bare_flask_server(port: int, threads: int) -> None:
    """A Flask app that reads a JSON body and answers 201 with JSON, served exactly as
    cli.serve serves Loket: it is the least a JSON POST on this stack can cost."""
    import waitress
    from flask import Flask, request

    app = Flask("bare")
    counter = iter(range(1, 10**9))

    @app.post("/api/tickets")
    def create():
        data = request.get_json()
        return {"number": next(counter), "subject": data["subject"]}, 201

    app.get("/hello")(lambda: {"hello": "world"})  # api_latency.py's baseline GET

    waitress.serve(app, host="127.0.0.1", port=port, threads=threads, ident="loket",
                   clear_untrusted_proxy_headers=True, _quiet=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raised_limits_config(var: Path, root: Path = ROOT) -> Path:
    """A copy of site_config/ whose submission limits no bench reaches."""
    config = var / "site_config"
    shutil.copytree(root / "site_config", config)
    portal = config / "portal.yml"
    text = portal.read_text()
    text, count = re.subn(r"(?m)^(\s+per_(?:hour|day):)\s*\d+", r"\1 1000000000", text)
    assert count == 2, "site_config/portal.yml: submissions.per_hour/per_day not found"
    portal.write_text(text)
    return config


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    process: subprocess.Popen | None = None
    log: object = None
    outbox: Path | None = None
    sends_mail: bool = True  # False: mail stays queued (mail-later), nothing to wait for
    acknowledged: int = 0  # tickets it acknowledged, warm-up included: receipts due

    def settle(self, quiet: float = 1.0, longest: float = 60.0) -> None:
        """Wait until the outbox has not grown for `quiet` seconds (at most `longest`)."""
        if self.outbox is None:
            return
        deadline, last, since = time.monotonic() + longest, -1, time.monotonic()
        while time.monotonic() < deadline:
            count = len(list(self.outbox.glob("*.eml"))) if self.outbox.is_dir() else 0
            if count != last:
                last, since = count, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.2)

    def receipts(self) -> set[str]:
        """The Message-IDs in the outbox (OutboxMailer names each file after its own)."""
        if self.outbox is None or not self.outbox.is_dir():
            return set()
        return {name.name.split("-", 1)[1] for name in self.outbox.glob("*.eml")}

    def drained(self, expected: int, longest: float = 120.0) -> float:
        """Seconds until the outbox holds `expected` receipts (at most `longest`): how
        long after a burst the last receipt went out."""
        started = time.monotonic()
        while time.monotonic() - started < longest:
            if len(list(self.outbox.glob("*.eml"))) >= expected:
                break
            time.sleep(0.02)
        return time.monotonic() - started

    def __enter__(self) -> "Server":
        # waitress logs "Task queue depth" under load: kept in a file, shown on failure.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"{self.name} server exited with {self.process.returncode}:\n"
                                 + self.log.read().decode(errors="replace")[-2000:])
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"{self.name} server did not start within 30 s")

    def __exit__(self, *exc) -> None:
        # SIGTERM: `loket serve` leaves through its `finally`, as under a service manager.
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# Variants of `loket serve`, started through `python -c` with one thing changed, to
# see what it costs. "no-lock": SQLite's writers left to SQLite's busy handler, as
# before the in-process write lock (storage/sqlite.py). "mail-later": the mail process
# does not run while the clients submit (the mail stays queued), so the figures show
# the request alone, without the receipts being rendered and sent beside it (about 5
# CPU ms a receipt, mostly its article suggestions: bench/submit_cpu.py), on the
# same cores as the server and the clients.
VARIANTS = {
    "no-lock": """
import loket.storage.sqlite as sqlite

class NoLock:
    def acquire(self): pass
    def release(self): pass
    def __enter__(self): return self
    def __exit__(self, *exc): pass

sqlite._write_lock_for = lambda path: NoLock()
""",
    # "no-group": each new ticket in a transaction of its own, as before group commit
    # (storage/sqlite_group_commit.py).
    "no-group": """
import loket.storage.sqlite as sqlite

sqlite.group_commit_for = lambda path: None
""",
    "mail-later": """
import loket.services.mail_dispatch as dispatch

dispatch.MailLoop.start = lambda self: self
dispatch.MailProcess.start = lambda self: self
""",
    # Two ceilings, not Loket: the same request with the store's write of a new ticket
    # replaced, to show what any store leaves of the goal. "no-store": the ticket and
    # its mails are made and nothing is written, the most a store could give.
    "no-store": """
import itertools
import loket.storage.sqlite as sqlite
from loket.domain.tickets import Ticket

numbers = itertools.count(1)

def create_ticket(self, new, *, idempotency_key=None, fingerprint="", mails=None, hits=()):
    ticket = Ticket.from_new(next(numbers), new)
    if mails is not None:
        mails(ticket)
    return ticket, True

sqlite.SQLiteStore.create_ticket = create_ticket
""",
    # "one-row-store": each new ticket is one row (its subject) in a table of its own,
    # written through the store's writer and group commit: the least a durable write
    # of a submission costs on this stack. The real write also records the ticket's
    # message, event, mails, desk words, number and rate-limit counts, and indexes.
    "one-row-store": """
import loket.storage.sqlite as sqlite
from loket.domain.tickets import Ticket

store_init = sqlite.SQLiteStore.__init__

def init(self, *args, **kwargs):
    store_init(self, *args, **kwargs)
    with self._write() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS one_row (number INTEGER PRIMARY KEY, "
                     "subject TEXT NOT NULL)")

def one_row(self, conn, new, idempotency_key, fingerprint, mails, hits):
    number = conn.execute("INSERT INTO one_row (subject) VALUES (?)",
                          (new.subject,)).lastrowid
    ticket = Ticket.from_new(number, new)
    if mails is not None:
        mails(ticket)
    return ticket, [], None  # [] queued: a ticket created, its mails not written

sqlite.SQLiteStore.__init__ = init
sqlite.SQLiteStore._create_ticket = one_row
""",
}
# Variants whose receipts never reach the outbox: held back, or never written.
NO_RECEIPTS = {"mail-later", "no-store", "one-row-store"}


def variant_name(text: str) -> str:
    """--variant's value: a variant, or several joined with "+" (mail-later+no-store)."""
    unknown = [name for name in text.split("+") if name not in VARIANTS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown variant {unknown[0]!r}: choose from "
                                         f"{', '.join(VARIANTS)}, joined with + for several")
    return text
RUN_LOKET = """
import sys
from loket.cli import main
sys.argv[0] = "loket"
main()
"""


def loket_server(var: Path, port: int, threads: int, *, variant: str | None = None,
                 checkout: Path | None = None) -> Server:
    """`loket serve` of this checkout, a variant of it, or of another `checkout` (a git
    worktree of an earlier commit, to measure before and after in one run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout / "functions")
        variant = variant or ""
    env.update(LOKET_CONFIG_DIR=str(raised_limits_config(var, checkout or ROOT)),
               LOKET_SQLITE_PATH=str(var / "loket.db"), LOKET_OUTBOX_DIR=str(var / "outbox"),
               LOKET_BLOB_DIR=str(var / "blobs"), LOKET_SITE_DIR=str(ROOT / "site"),
               LOKET_SEARCH_INDEX=str(ROOT / "search" / "index"),
               LOKET_BASE_URL=f"http://127.0.0.1:{port}")
    patches = "".join(VARIANTS[name] for name in variant.split("+")) if variant else ""
    start = ([sys.executable, "-c", patches + RUN_LOKET] if variant is not None
             else [str(BIN / "loket")])
    command = [*start, "serve", "--port", str(port), "--threads", str(threads)]
    name = f"loket@{checkout.name}" if checkout else variant or "loket"
    return Server(name, command, env, port, outbox=var / "outbox",
                  sends_mail=not NO_RECEIPTS.intersection((variant or "").split("+")))


def bare_server(port: int, threads: int) -> Server:
    command = [sys.executable, __file__, "--bare-server", str(port), "--threads", str(threads)]
    return Server("bare Flask", command, dict(os.environ), port)


# -- the clients -------------------------------------------------------------------------

@dataclass
class Level:
    target: str
    clients: int
    seconds: float = 0.0
    times: list[float] = field(default_factory=list)  # ms per acknowledged request
    drain: float | None = None  # s from the level's end to its last receipt in the outbox
    during: int | None = None  # of its receipts, those in the outbox when the level ended
    acknowledged: dict[int, str] = field(default_factory=dict)  # number -> subject
    failures: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return len(self.times) / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.times) < 2:
            return self.times[0] if self.times else float("nan")
        return statistics.quantiles(self.times, n=100, method="inclusive")[p - 1]


def client(port: int, subjects: list[str], level: Level, deadline: float,
           lock: threading.Lock) -> None:
    """One customer after another on one keep-alive connection, as a browser would."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for subject in subjects:
            if time.monotonic() > deadline:
                return
            body = json.dumps({**TICKET, "subject": subject})
            start = time.perf_counter()
            conn.request("POST", "/api/tickets", body=body,
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if response.status == 201:
                    level.times.append(elapsed)
                    level.acknowledged[json.loads(data)["number"]] = subject
                else:
                    level.failures.append(f"{response.status} {data[:200]!r}")
    finally:
        conn.close()


def run_level(target: str, port: int, clients: int, requests: int, tag: str) -> Level:
    level = Level(target, clients)
    lock = threading.Lock()
    each = max(1, requests // clients)
    deadline = time.monotonic() + LEVEL_SECONDS
    threads = [threading.Thread(target=client, args=(
        port, [f"Load {tag} c{c} #{i}" for i in range(each)], level, deadline, lock))
        for c in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    level.seconds = time.perf_counter() - start
    return level


def measure(servers: list[Server], levels: list[int], requests: int) -> dict[str, list[Level]]:
    """Each level on every server in turn, so a machine whose load changes during the
    run weighs on all of them alike; before the next server, the one measured sends
    the mail its level queued (its outbox stops growing), so no server pays for
    another's receipts."""
    results: dict[str, list[Level]] = {server.name: [] for server in servers}
    for server in servers:
        server.acknowledged += len(run_level(server.name, server.port, 1, WARM_UP,
                                             f"{server.name} warm-up").acknowledged)
        server.settle()
    for clients in levels:
        for server in servers:
            sent_before = len(server.receipts())
            level = run_level(server.name, server.port, clients,
                              min(requests * clients, MAX_PER_LEVEL), f"{server.name} {clients}")
            server.acknowledged += len(level.acknowledged)
            if server.outbox is not None and server.sends_mail:
                level.during = len(server.receipts()) - sent_before
                level.drain = server.drained(server.acknowledged)
            results[server.name].append(level)
            server.settle()
    return results


# -- checking and reporting --------------------------------------------------------------

@contextlib.contextmanager
def stored_subjects(db: Path, variant: str = ""):
    """number -> subject as stored: the tickets table, or the one-row-store ceiling's."""
    if "one-row-store" in variant.split("+"):
        with contextlib.closing(sqlite3.connect(db)) as conn:
            yield dict(conn.execute("SELECT number, subject FROM one_row")).get
        return
    from loket.storage.sqlite import SQLiteStore

    store = SQLiteStore(db)
    try:
        yield lambda number: getattr(store.get_ticket(number), "subject", None)
    finally:
        store.close()


def missing_tickets(db: Path, levels: list[Level], variant: str = "") -> list[str]:
    """Every acknowledged number must be stored with the subject its client sent."""
    problems = []
    with stored_subjects(db, variant) as subject_of:
        for level in levels:
            for number, subject in level.acknowledged.items():
                stored = subject_of(number)
                if stored != subject:
                    problems.append(f"ticket {number} ({subject}): "
                                    f"{'missing' if stored is None else repr(stored)}")
    return problems


def receipts_check(server: Server) -> str:
    """Every acknowledged ticket's receipt in the outbox once: none lost, none twice."""
    if not server.sends_mail:
        return (f"receipts check ({server.name}): none sent ({server.acknowledged} tickets; "
                "its mail is held back or, for a ceiling, never written)")
    files = len(list(server.outbox.glob("*.eml"))) if server.outbox.is_dir() else 0
    distinct = len(server.receipts())
    ok = files == distinct == server.acknowledged
    return (f"receipts check ({server.name}): {distinct} distinct receipts in {files} "
            f"files for {server.acknowledged} acknowledged tickets"
            + ("" if ok else "  NOT one each"))


def report(loket: list[Level], bare: list[Level], others: list[Level] = ()) -> bool:
    print(f"{'server':<25} {'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'failed':>6} {'mail s':>7} {'in burst':>8}")
    for level in [*bare, *loket, *others]:
        print(f"{level.target:<25} {level.clients:>7} {len(level.times):>8} "
              f"{level.per_second:>8.0f} {level.percentile(50):>8.1f} "
              f"{level.percentile(99):>8.1f} {len(level.failures):>6} "
              + (f"{level.drain:>7.2f} {level.during / max(1, len(level.acknowledged)):>8.0%}"
                 if level.drain is not None else ""))
    print("mail s: seconds from the level's last answer until its last receipt was in the "
          "outbox; in burst: the share of its receipts sent while the clients submitted "
          "(the mail process's CPU taken from the requests)")
    goal_met = True
    bare_at = {level.clients: level for level in bare}
    for ours in [*loket, *others]:
        theirs = bare_at[ours.clients]
        ratio = ours.per_second / theirs.per_second if theirs.per_second else 0.0
        line = (f"{ours.clients:>2} clients: {ours.target} {ratio:.2f}x the bare throughput, "
                f"p99 {ours.percentile(99):.1f} ms vs {theirs.percentile(99):.1f} ms")
        if ours.clients == 8 and ours.target == "loket":
            met = ratio >= 0.5 and ours.percentile(99) < 50
            goal_met = met
            line += f"  (goal >= 0.5x and p99 < 50 ms: {'met' if met else 'NOT met'})"
        print(line)
    return goal_met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,8,32",
                        help="concurrent clients per level, comma-separated")
    parser.add_argument("--requests", type=int, default=200,
                        help="requests per client and level (at most %d a level)" % MAX_PER_LEVEL)
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="waitress threads of both servers")
    parser.add_argument("--variant", action="append", default=[],
                        type=variant_name, metavar="NAME",
                        help="also measure this variant of Loket (repeatable): no-lock "
                             "(SQLite's in-process write lock taken out), no-group (no group "
                             "commit: a transaction per new ticket), mail-later (the "
                             "mail loop held back while the clients submit), or the ceilings "
                             "no-store (the ticket's write replaced by nothing) and "
                             "one-row-store (by one row); join several with +, e.g. "
                             "mail-later+no-store")
    parser.add_argument("--checkout", action="append", default=[], type=Path, metavar="DIR",
                        help="also measure `loket serve` of another checkout, e.g. `git "
                             "worktree add ../before <commit>` (repeatable)")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        return bare_flask_server(args.bare_server, args.threads)
    levels = sorted(int(n) for n in args.levels.split(","))
    requests = max(1, args.requests)
    var = Path(tempfile.mkdtemp(prefix="loket-load-"))
    try:
        with contextlib.ExitStack() as running:
            servers = [running.enter_context(bare_server(free_port(), args.threads)),
                       running.enter_context(loket_server(var, free_port(), args.threads))]
            for variant in args.variant:
                (var / variant).mkdir()
                servers.append(running.enter_context(loket_server(
                    var / variant, free_port(), args.threads, variant=variant)))
            for checkout in args.checkout:
                (var / f"loket@{checkout.name}").mkdir()
                servers.append(running.enter_context(loket_server(
                    var / f"loket@{checkout.name}", free_port(), args.threads,
                    checkout=checkout.resolve())))
            results = measure(servers, levels, requests)
        bare, loket = results.pop("bare Flask"), results.pop("loket")
        problems = missing_tickets(var / "loket.db", loket)
        others, unchecked = [], 0
        for variant, measured in results.items():
            if "no-store" in variant.split("+"):  # writes nothing: nothing to check
                unchecked += sum(len(level.acknowledged) for level in measured)
            else:
                problems += missing_tickets(var / variant / "loket.db", measured, variant)
            others += measured
        receipts = [receipts_check(server) for server in servers if server.outbox]
    finally:
        shutil.rmtree(var, ignore_errors=True)
    print(f"waitress, {args.threads} threads, one keep-alive connection per client, "
          f"loopback; Loket on SQLite (WAL), outbox mail, search index "
          f"{'present' if (ROOT / 'search' / 'index').is_dir() else 'absent'}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (a busy machine "
          "slows both servers, and Loket more)")
    report(loket, bare, others)
    failures = [f for level in loket + bare + others for f in level.failures]
    for failure in failures[:5]:
        print(f"failed request: {failure}")
    acknowledged = sum(len(level.acknowledged) for level in loket + others) - unchecked
    print(f"store check: {acknowledged - len(problems)} of {acknowledged} acknowledged "
          f"tickets present" + (f" ({unchecked} of no-store, which writes nothing, not "
                                "checked)" if unchecked else ""))
    for problem in problems[:10]:
        print(f"  {problem}")
    for line in receipts:
        print(line)
    if problems or failures or any("NOT" in line for line in receipts):
        sys.exit(1)


if __name__ == "__main__":
    main()
