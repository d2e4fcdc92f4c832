"""Cold starts of the Lambda handlers: import time and first-request time.

Each figure is the median of several fresh Python processes, so nothing is cached in
memory; the same is measured for a minimal Flask + boto3 handler as the baseline. AWS
is a moto server on localhost, so the first request makes real HTTP calls to DynamoDB
and SES endpoints. Run: `make bench`.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
TABLE = "loket-bench"
REGION = "eu-west-1"

# Each probe prints {"import_ms": ..., "first_ms": ..., "modules": [...]}.
PROBE = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    {import_code}
    t1 = time.perf_counter()
    response = {call_code}
    t2 = time.perf_counter()
    print(json.dumps({{"import_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000,
                      "status": str(response)[:80], "modules": sorted(sys.modules)}}))
""")

BASELINE = """
import boto3
from flask import Flask
from apig_wsgi import make_lambda_handler
app = Flask("baseline")
client = boto3.client("dynamodb")
@app.get("/api/tickets/<int:n>")
def get(n):
    item = client.get_item(TableName="%s", Key={"pk": {"S": f"TICKET#{n}"}, "sk": {"S": "TICKET"}})
    return {"found": "Item" in item}, 200 if "Item" in item else 404
handle = make_lambda_handler(app)
""" % TABLE

HTTP_EVENT = {"version": "2.0", "routeKey": "$default", "rawPath": "/api/tickets/10001",
              "rawQueryString": "token=x", "headers": {"host": "bench"},
              "requestContext": {"http": {"method": "GET", "path": "/api/tickets/10001",
                                          "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1"},
                                 "stage": "$default", "requestId": "r"},
              "isBase64Encoded": False}
SCHEDULE_EVENT = {"version": "0", "id": "1", "detail-type": "Scheduled Event",
                  "source": "aws.events", "account": "123456789012",
                  "time": "2026-11-26T09:00:00Z", "region": REGION, "resources": [],
                  "detail": {}}

CASES = {
    "baseline: Flask + boto3 GET": (BASELINE, f"handle({HTTP_EVENT!r}, None)"),
    "http: GET /api/tickets/{n}": ("from loket.handlers.http import handle",
                                   f"handle({HTTP_EVENT!r}, None)"),
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


def run_case(import_code: str, call_code: str, env: dict) -> list[dict]:
    probe = PROBE.format(import_code=textwrap.indent(import_code, "").strip()
                         if "\n" not in import_code.strip() else
                         "exec(" + repr(import_code) + ", globals())",
                         call_code=call_code)
    results = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def main() -> None:
    port = free_port()
    moto = start_moto(port)
    endpoint = f"http://127.0.0.1:{port}"
    var = Path(tempfile.mkdtemp(prefix="loket-cold-"))
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": endpoint,
           "LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": TABLE, "LOKET_MAIL": "ses",
           "LOKET_AWS_REGION": REGION, "LOKET_CONFIG_DIR": str(ROOT / "site_config"),
           "LOKET_SITE_DIR": str(var / "no-site"), "LOKET_SECRET_KEY": "bench",
           "PYTHONPATH": str(ROOT)}
    try:
        prepare_aws(env)
        print(f"median of {RUNS} fresh processes each; Python {sys.version.split()[0]}; "
              "AWS = moto server on localhost")
        print(f"{'handler':<30} {'import ms':>10} {'first request ms':>17} {'modules':>8}")
        heavy = ("whoosh", "flask", "loket.mail.inbound", "email_validator", "jinja2")
        for name, (import_code, call_code) in CASES.items():
            try:
                results = run_case(import_code, call_code, env)
            except subprocess.CalledProcessError as exc:
                print(f"{name:<30} failed: {exc.stderr.strip().splitlines()[-1:]}")
                continue
            modules = results[0]["modules"]
            loaded = [m for m in heavy if m in modules]
            print(f"{name:<30} {statistics.median(r['import_ms'] for r in results):10.1f} "
                  f"{statistics.median(r['first_ms'] for r in results):17.1f} "
                  f"{len(modules):8d}   loads: {', '.join(loaded) or '-'}")
    finally:
        moto.terminate()
        moto.wait()


if __name__ == "__main__":
    main()
