"""Where a cold submission's AWS time goes: the client's making and each request.

Runs the `http` handler's first POST /api/tickets in fresh processes, as
bench/cold_start.py does (same moto server, same event, `--zip` for the Lambda zip with
the runtime's CPython), with botocore's own methods wrapped to time, in wall and CPU
milliseconds: making each client (boto3 Session.client, reading botocore's data
included), each API call (serializing, endpoint rules, signing, the HTTP exchange,
parsing) and, of that, the HTTP exchange alone (Endpoint._send: waiting on the server).
Prints the median of each over the runs, for the handler and for bench/cold_start.py's
minimal Flask + boto3 handler (one PutItem) in the same run. Run: `python bench/cold_requests.py [--zip
build/loket-lambda.zip]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import cold_start  # noqa: E402

RUNS = 5

# Wraps botocore's methods before the handler is imported, then runs the event.
PROBE = r'''
import json, time
import boto3.session, botocore.client, botocore.endpoint
T0, C0 = time.perf_counter(), time.process_time()
rows = []

def timed(owner, name, label):
    real = getattr(owner, name)
    def wrapper(*args, **kwargs):
        t, c = time.perf_counter(), time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            what = {"api": lambda: args[1], "client": lambda: args[1],
                    "http": lambda: ""}[label]()
            rows.append([label, what, (time.perf_counter() - t) * 1000,
                         (time.process_time() - c) * 1000])
    setattr(owner, name, wrapper)

timed(boto3.session.Session, "client", "client")
timed(botocore.client.BaseClient, "_make_api_call", "api")
timed(botocore.endpoint.Endpoint, "_send", "http")
exec(IMPORT, globals())
status = handle(EVENT, None)["statusCode"]
print(json.dumps({"status": status, "rows": rows,
                  "total_ms": (time.perf_counter() - T0) * 1000,
                  "cpu_ms": (time.process_time() - C0) * 1000}))
'''


# What each case imports (defining `handle`): Loket's handler, and bench/cold_start.py's
# minimal Flask + boto3 handler as the baseline, measured alike in the same run.
CASES = {"http": "from loket.handlers.http import handle",
         "baseline": cold_start.BASELINE}


def run(python: list[str], cwd: Path, env: dict, case: str, address: str) -> dict:
    event = json.loads(json.dumps(cold_start.HTTP_EVENT))
    event["requestContext"]["http"]["sourceIp"] = address
    code = f"EVENT = {event!r}\nIMPORT = {CASES[case]!r}\n{PROBE}"
    out = subprocess.run([*python, "-c", code], env=env, cwd=cwd,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr.strip().splitlines()[-1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def steps(result: dict) -> list[tuple[str, float, float, float]]:
    """(step, wall, CPU, of it on the wire) in the order they came; an HTTP exchange is
    counted in the API call it belongs to."""
    found, wire = [], 0.0
    for label, what, wall, cpu in result["rows"]:
        if label == "http":
            wire += wall
        elif label == "client":
            found.append((f"client {what}", wall, cpu, 0.0))
        else:
            found.append((what, wall, cpu, wire))
            wire = 0.0
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zip", type=Path, help="run the handler from this Lambda zip")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    port = cold_start.free_port()
    moto = cold_start.start_moto(port)
    var = Path(tempfile.mkdtemp(prefix="loket-cold-requests-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": cold_start.REGION,
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "LOKET_STORE": "dynamodb",
                "LOKET_DYNAMODB_TABLE": cold_start.TABLE, "LOKET_MAIL": "ses",
                "LOKET_AWS_REGION": cold_start.REGION, "LOKET_SITE_DIR": str(var / "no-site"),
                "LOKET_SECRET_KEY": "bench", "PYTHONPATH": str(cold_start.ROOT)})
    python, cwd, baseline = [sys.executable], cold_start.ROOT, None
    try:
        cold_start.prepare_aws(env)
        if args.zip:
            python, cwd, zipped = cold_start.lambda_task(args.zip, var)
            env.update(zipped)
            # A minimal handler ships no SDK: its boto3 is the runtime's, not the zip's.
            baseline = cold_start.baseline_env(env)
        else:
            env["LOKET_CONFIG_DIR"] = str(cold_start.precompiled_config(var))
        results: dict[str, list[dict]] = {case: [] for case in CASES}
        for n in range(-1, args.runs):  # run -1 warms the disk cache and bytecode
            for case in CASES:  # in turns, so a busy moment falls on both alike
                case_env, case_cwd = (baseline if case == "baseline" and baseline
                                      else (env, cwd))
                result = run(python, case_cwd, case_env, case, f"198.51.100.{n + 2}")
                if n >= 0:
                    results[case].append(result)
        print(f"median of {args.runs} cold submissions each from "
              f"{args.zip or 'the source tree'}; AWS = moto on localhost")
        for case, found in results.items():
            report(case, found)
    finally:
        moto.terminate()
        moto.wait()
        shutil.rmtree(var, ignore_errors=True)


def report(case: str, results: list[dict]) -> None:
    by_step: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    order: list[str] = []
    for result in results:
        for name, wall, cpu, wire in steps(result):
            if name not in order:
                order.append(name)
            by_step[name].append((wall, cpu, wire))
    print(f"\n{case + ': step':<28} {'wall ms':>8} {'CPU ms':>7} {'on the wire ms':>15}")
    for name in order:
        rows = by_step[name]
        print(f"{name:<28} {statistics.median(r[0] for r in rows):8.1f} "
              f"{statistics.median(r[1] for r in rows):7.1f} "
              f"{statistics.median(r[2] for r in rows):15.1f}")
    total = statistics.median(r["total_ms"] for r in results)
    cpu = statistics.median(r["cpu_ms"] for r in results)
    label = "import + first event"
    print(f"{label:<28} {total:8.1f} {cpu:7.1f}   (wall - CPU {total - cpu:.1f}; "
          "boto3 was imported before, to be wrapped)")


if __name__ == "__main__":
    main()
