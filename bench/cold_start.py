"""Cold starts of the Lambda handlers: import time and first-request time.

Each figure is the median of several fresh Python processes, so nothing is cached in
memory; the same is measured for a minimal Flask + boto3 handler as the baseline. AWS
is a moto server on localhost, so the first request makes real HTTP calls to DynamoDB
and SES endpoints. The configuration is precompiled, as the Lambda zip ships it. The
figure that counts is the ratio of `http`'s cold start (import and a first POST
/api/tickets) to the baseline's, measured in the same run. Run: `make bench`;
`--zip build/loket-lambda.zip` runs the handlers (and the baseline) from the Lambda zip
with the runtime's CPython, as Lambda would: its bytecode, its trimmed packages, its
AWS SDK (the zip's botocore, with its trimmed data, comes first on the path, as in
/var/task); the baseline, a handler that ships no SDK, uses the "runtime's" (this
machine's boto3). Each line names the botocore its case ran.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
TABLE = "loket-bench"
REGION = "eu-west-1"

# Each probe prints {"import_ms": ..., "first_ms": ..., "modules": [...]}.
PROBE = textwrap.dedent("""
    import json, sys, time
    t0, c0 = time.perf_counter(), time.process_time()
    {import_code}
    t1 = time.perf_counter()
    response = {call_code}
    t2, c2 = time.perf_counter(), time.process_time()
    print(json.dumps({{"import_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000,
                      "cpu_ms": (c2 - c0) * 1000,
                      "botocore": getattr(sys.modules.get("botocore"), "__file__", None),
                      "status": str(response)[:80], "modules": sorted(sys.modules)}}))
""")

BASELINE = """
import json
import boto3
from flask import Flask, request
from apig_wsgi import make_lambda_handler
app = Flask("baseline")
client = boto3.client("dynamodb")
@app.post("/api/tickets")
def create():
    data = request.get_json()
    client.put_item(TableName="%s", Item={"pk": {"S": "BASELINE#1"}, "sk": {"S": "TICKET"},
                                         "data": {"S": json.dumps(data)}})
    return {"number": 1}, 201
handle = make_lambda_handler(app)
""" % TABLE

SUBMISSION = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
              "subject": "Export to Excel fails", "description": "The export shows an error."}
HTTP_EVENT = {"version": "2.0", "routeKey": "$default", "rawPath": "/api/tickets",
              "rawQueryString": "", "body": json.dumps(SUBMISSION),
              "headers": {"host": "bench", "content-type": "application/json"},
              "requestContext": {"http": {"method": "POST", "path": "/api/tickets",
                                          "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1"},
                                 "stage": "$default", "requestId": "r"},
              "isBase64Encoded": False}
SCHEDULE_EVENT = {"version": "0", "id": "1", "detail-type": "Scheduled Event",
                  "source": "aws.events", "account": "123456789012",
                  "time": "2026-11-26T09:00:00Z", "region": REGION, "resources": [],
                  "detail": {}}

BASELINE_CASE = "baseline: Flask + boto3 POST"
HTTP_CASE = "http: POST /api/tickets"
# The goal: a cold `http` start (import + first submission) within this factor of the
# baseline's, both measured in the same run on the same machine.
TARGET_RATIO = 1.3
CASES = {
    BASELINE_CASE: (BASELINE, f"handle({HTTP_EVENT!r}, None)['statusCode']"),
    HTTP_CASE: ("from loket.handlers.http import handle",
                f"handle({HTTP_EVENT!r}, None)['statusCode']"),
    "sweep: scheduled event": ("from loket.handlers.sweep import handle",
                               f"handle({SCHEDULE_EVENT!r}, None)"),
    "mail_in: import only": ("from loket.handlers.mail_in import handle", "None"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)  # waiting for the server to listen
    raise RuntimeError("moto server did not start")


def prepare_aws(env: dict) -> None:
    code = ("import boto3; from loket.storage.dynamodb import create_table; "
            f"create_table(boto3.client('dynamodb'), '{TABLE}'); "
            "boto3.client('ses').verify_email_identity(EmailAddress='support@nordwind.example')")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def probe_for(import_code: str, call_code: str) -> str:
    return PROBE.format(import_code=import_code.strip() if "\n" not in import_code.strip()
                        else "exec(" + repr(import_code) + ", globals())",
                        call_code=call_code)


def run_cases(env: dict, python: list[str] = [sys.executable],
              cwd: Path = ROOT,
              baseline: tuple[dict, Path] | None = None) -> dict[str, list[dict]]:
    """RUNS fresh processes per case, taken in turns, so a busy moment of the machine
    falls on every case alike rather than on one of them; the baseline with its own
    environment and working folder when `baseline` gives them."""
    results: dict[str, list[dict]] = {name: [] for name in CASES}
    failed: dict[str, str] = {}
    for run in range(-1, RUNS):  # run -1 warms the disk cache (and bytecode): not counted
        for name, (import_code, call_code) in CASES.items():
            if name in failed:
                continue
            # Each run comes from its own address: the submission limits count per address.
            probe = probe_for(import_code, call_code.replace("203.0.113.1", f"203.0.113.{run + 2}"))
            case_env, case_cwd = (baseline if name == BASELINE_CASE and baseline
                                  else (env, cwd))
            out = subprocess.run([*python, "-c", probe], env=case_env, cwd=case_cwd,
                                 capture_output=True, text=True)
            if out.returncode != 0:
                failed[name] = (out.stderr.strip().splitlines() or ["?"])[-1]
                continue
            if run >= 0:
                results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for name, error in failed.items():
        print(f"{name:<30} failed: {error}")
        results.pop(name)
    return results


def sdk_of(result: dict, var: Path) -> str:
    """Where the case's botocore came from: the zip (task), the runtime copy, the venv."""
    found = result.get("botocore")
    if not found:
        return "-"
    path = Path(found)
    return str(path.parent.relative_to(var)) if path.is_relative_to(var) else str(path.parent)


def total_ms(results: list[dict]) -> float:
    return statistics.median(r["import_ms"] + r["first_ms"] for r in results)


def cpu_ms(results: list[dict]) -> float:
    return statistics.median(r["cpu_ms"] for r in results)


def precompiled_config(var: Path) -> Path:
    """site_config as the Lambda zip carries it: with the configuration precompiled
    (tools/build_lambda_package.py does the same), so the figures are Lambda's."""
    config_dir = var / "site_config"
    shutil.copytree(ROOT / "site_config", config_dir, ignore=shutil.ignore_patterns(".compiled"))
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from loket.config.compiled import compile_config; "
                    "compile_config(Path(sys.argv[1]))", str(config_dir)], check=True)
    return config_dir


def lambda_task(zip_path: Path, var: Path) -> tuple[list[str], Path, dict]:
    """The zip unpacked as Lambda's /var/task, the AWS SDK beside it as the runtime's
    /var/runtime (this environment's boto3, linked), run by the CPython the zip was
    built for (its manifest says which), without this machine's site-packages."""
    task, runtime = var / "task", var / "runtime"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(task)
    runtime.mkdir()
    for module in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"):
        origin = Path(importlib.util.find_spec(module).origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        if source.is_dir():
            shutil.copytree(source, runtime / source.name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, runtime / source.name)
    manifest = json.loads(zip_path.with_suffix(".json").read_text(encoding="utf-8"))
    # Lambda's runtime has the SDK's bytecode: so does this copy.
    subprocess.run([manifest["python"], "-m", "compileall", "-q", "-j", "0", str(runtime)],
                   check=True, stdout=subprocess.DEVNULL)
    # /var/task first, as on Lambda: the zip's own SDK, when it ships one, wins.
    env = {"PYTHONPATH": f"{task}{os.pathsep}{runtime}",
           "LOKET_CONFIG_DIR": str(task / "site_config"),
           "LOKET_SEARCH_INDEX": str(task / "search" / "index")}
    return [manifest["python"], "-S"], task, env


def baseline_env(env: dict) -> tuple[dict, Path]:
    """`env` (lambda_task's) and the working folder for the baseline: a minimal
    handler's zip has Flask and apig-wsgi but no SDK, so its boto3 is the runtime's, not
    the one in Loket's zip. The runtime folder goes first (it holds the SDK alone), and
    the process runs outside the task folder (`python -c` puts its working folder
    first on sys.path)."""
    task, runtime = env["PYTHONPATH"].split(os.pathsep)
    return {**env, "PYTHONPATH": f"{runtime}{os.pathsep}{task}"}, Path(runtime).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zip", type=Path, help="run the handlers from this Lambda zip "
                        "(build/loket-lambda.zip) with the runtime's CPython, not from "
                        "the source tree")
    args = parser.parse_args()
    port = free_port()
    moto = start_moto(port)
    endpoint = f"http://127.0.0.1:{port}"
    var = Path(tempfile.mkdtemp(prefix="loket-cold-"))
    # Bytecode is written by the warm-up run (Lambda's is in the zip and the runtime).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {**env, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": endpoint,
           "LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": TABLE, "LOKET_MAIL": "ses",
           "LOKET_AWS_REGION": REGION, "LOKET_SITE_DIR": str(var / "no-site"),
           "LOKET_SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
    python, cwd, where, baseline = [sys.executable], ROOT, "the source tree", None
    try:
        prepare_aws(env)
        if args.zip:
            python, cwd, zipped = lambda_task(args.zip, var)
            env.update(zipped)
            baseline = baseline_env(env)
            where = f"{args.zip} with {python[0]}"
        else:
            env["LOKET_CONFIG_DIR"] = str(precompiled_config(var))
        print(f"median of {RUNS} fresh processes each; {where}; AWS = moto server on localhost")
        print(f"{'handler':<30} {'import ms':>10} {'first request ms':>17} {'total ms':>9} "
              f"{'CPU ms':>7} {'modules':>8}")
        heavy = ("whoosh", "flask", "loket.mail.inbound", "email_validator", "jinja2")
        results = run_cases(env, python, cwd, baseline)
        for name, runs in results.items():
            modules = runs[0]["modules"]
            loaded = [m for m in heavy if m in modules]
            print(f"{name:<30} {statistics.median(r['import_ms'] for r in runs):10.1f} "
                  f"{statistics.median(r['first_ms'] for r in runs):17.1f} "
                  f"{total_ms(runs):9.1f} {cpu_ms(runs):7.1f} {len(modules):8d}   "
                  f"loads: {', '.join(loaded) or '-'}"
                  f"   botocore: {sdk_of(runs[0], var)}   status: {runs[0]['status']}")
        if BASELINE_CASE in results and HTTP_CASE in results:
            ratio = total_ms(results[HTTP_CASE]) / total_ms(results[BASELINE_CASE])
            cpu = cpu_ms(results[HTTP_CASE]) / cpu_ms(results[BASELINE_CASE])
            print(f"cold start ratio, http POST /api/tickets / baseline: {ratio:.2f}x "
                  f"(goal: at most {TARGET_RATIO}x); in CPU time {cpu:.2f}x (steadier on a "
                  "busy machine)")
    finally:
        moto.terminate()
        moto.wait()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
