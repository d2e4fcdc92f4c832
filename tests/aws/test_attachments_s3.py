"""Attachments on AWS, end to end through the HTTP Lambda handler, against a moto server
on 127.0.0.1: a presigned POST followed by a real HTTP upload, the server-side check
and claim when the ticket is submitted, and a presigned download.

moto's in-process mock cannot take a browser's POST, so this test runs moto as a
server and points every client at it (AWS_ENDPOINT_URL). moto stores what a presigned
POST sends without checking its policy; the policy itself is checked here as a
document, and the server's own check of each file is what refuses a wrong one.
"""

from __future__ import annotations

import base64
import io
import json
import socket
from urllib.parse import parse_qs, urlencode, urlparse

import boto3
import pytest
import requests
from PIL import Image

from loket.handlers import http
from tests.aws.conftest import MAIL_FROM, TABLE, http_event
from tests.paths import SITE_CONFIG
from tests.stores import AWS_REGION

BUCKET = "loket-test-attachments"
TICKET = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
          "subject": "Import of shifts fails", "description": "The CSV is attached."}


@pytest.fixture
def moto_server(monkeypatch):
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    for name, value in {
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": AWS_REGION,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": url,
            "AWS_CONFIG_FILE": "/nonexistent/aws/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws/credentials"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # moto keeps its accounts in the process, across servers: start and end empty.
    requests.post(f"{url}/moto-api/reset", timeout=10)
    try:
        yield url
    finally:
        requests.post(f"{url}/moto-api/reset", timeout=10)
        server.stop()


@pytest.fixture
def aws_s3(moto_server, monkeypatch):
    from loket.storage.dynamodb import create_table

    create_table(boto3.client("dynamodb", region_name=AWS_REGION), TABLE)
    boto3.client("ses", region_name=AWS_REGION).verify_email_identity(EmailAddress=MAIL_FROM)
    s3 = boto3.client("s3", region_name=AWS_REGION)
    s3.create_bucket(Bucket=BUCKET,
                     CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
    for name, value in {"LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": TABLE,
                        "LOKET_MAIL": "ses", "LOKET_MAIL_FROM": f"Support <{MAIL_FROM}>",
                        "LOKET_BLOBS": "s3", "LOKET_ATTACHMENTS_BUCKET": BUCKET,
                        "LOKET_AWS_REGION": AWS_REGION, "LOKET_AWS_ENDPOINT_URL": moto_server,
                        "LOKET_CONFIG_DIR": str(SITE_CONFIG), "LOKET_SITE_DIR": "/nonexistent",
                        "LOKET_BASE_URL": "https://support.nordwind.example",
                        "LOKET_SECRET_KEY": "test-secret"}.items():
        monkeypatch.setenv(name, value)
    http.reset()
    yield s3
    http.reset()


def invoke(method: str, path: str, *, query: str = "", body=None) -> dict:
    headers = {"content-type": "application/json"} if body is not None else {}
    return http.handle(http_event(method, path, query=query, headers=headers,
                                  body=json.dumps(body) if body is not None else None), None)


def answer(response: dict) -> dict:
    return json.loads(response["body"])


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1280, 720), "orange").save(out, "PNG")
    return out.getvalue()


def browser_upload(name: str, content: bytes, type_: str) -> str:
    """What portal.js does: announce the file, then POST it straight to the bucket."""
    started = invoke("POST", "/api/uploads", body={"name": name, "size": len(content),
                                                   "type": type_})
    assert started["statusCode"] == 201, started["body"]
    form = answer(started)
    posted = requests.post(form["url"], data=form["fields"], files={"file": (name, content)},
                           timeout=10)
    assert posted.status_code == 204, posted.text
    return form["id"]


def test_a_file_goes_to_s3_and_back_without_passing_through_the_function(aws_s3):
    picture = png()
    started = invoke("POST", "/api/uploads", body={"name": "error.png", "size": len(picture),
                                                   "type": "image/png"})
    form = answer(started)
    assert form["url"].startswith(f"http://127.0.0.1:{urlparse(form['url']).port}/{BUCKET}")
    assert form["fields"]["key"] == f"uploads/{form['id']}"
    # What S3 holds the browser to: this key, this type, exactly this many bytes.
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    assert ["content-length-range", len(picture), len(picture)] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": f"uploads/{form['id']}"} in policy["conditions"]

    posted = requests.post(form["url"], data=form["fields"],
                           files={"file": ("error.png", picture)}, timeout=10)
    assert posted.status_code == 204
    submitted = invoke("POST", "/api/tickets", body={**TICKET, "attachments": [form["id"]]})
    assert submitted["statusCode"] == 201, submitted["body"]
    receipt = answer(submitted)

    # Claimed: moved to its final key with a thumbnail beside it; the upload is gone.
    keys = {o["Key"] for o in aws_s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {f"attachments/{form['id']}", f"thumbnails/{form['id']}.png"}

    ticket = answer(invoke("GET", f"/api/tickets/{receipt['number']}",
                           query=urlencode({"token": receipt["token"]})))
    [attachment] = ticket["messages"][0]["attachments"]
    assert (attachment["name"], attachment["content_type"]) == ("error.png", "image/png")

    path, query = attachment["url"].split("?")
    redirect = invoke("GET", path, query=query)
    assert redirect["statusCode"] == 302
    location = redirect["headers"]["location"]
    signed = parse_qs(urlparse(location).query)
    assert signed["response-content-disposition"][0].startswith('attachment; filename="error.png"')
    assert signed["response-content-type"] == ["image/png"]
    download = requests.get(location, timeout=10)
    assert download.status_code == 200 and download.content == picture
    assert download.headers["Content-Disposition"].startswith('attachment; filename="error.png"')
    assert download.headers["Content-Type"] == "image/png"

    path, query = attachment["thumbnail_url"].split("?")
    thumbnail = requests.get(invoke("GET", path, query=query)["headers"]["location"], timeout=10)
    assert Image.open(io.BytesIO(thumbnail.content)).size == (320, 180)


def test_the_server_checks_what_was_uploaded_before_attaching_it(aws_s3):
    disguised = browser_upload("chart.png", b"<html><script>alert(1)</script></html>",
                               "image/png")
    response = invoke("POST", "/api/tickets", body={**TICKET, "attachments": [disguised]})
    assert response["statusCode"] == 422
    [error] = answer(response)["errors"]
    assert error["field"] == "attachments[0]"
    assert error["detail"].startswith("'chart.png' holds text/html, which is not accepted")
    # Nothing was attached: the upload still waits under uploads/ for the lifecycle rule.
    keys = {o["Key"] for o in aws_s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {f"uploads/{disguised}"}


def test_a_reply_takes_a_csv_uploaded_to_s3(aws_s3):
    receipt = answer(invoke("POST", "/api/tickets", body=TICKET))
    csv = b"employee;shift;start\n1001;early;06:00\n1002;late;14:00\n"
    upload_id = browser_upload("shifts.csv", csv, "application/vnd.ms-excel")
    reply = invoke("POST", f"/api/tickets/{receipt['number']}/messages",
                   query=urlencode({"token": receipt["token"]}),
                   body={"body": "The file that fails.", "attachments": [upload_id]})
    assert reply["statusCode"] == 201, reply["body"]
    [attachment] = answer(reply)["messages"][-1]["attachments"]
    assert (attachment["content_type"], attachment["thumbnail_url"]) == ("text/csv", None)
    path, query = attachment["url"].split("?")
    location = invoke("GET", path, query=query)["headers"]["location"]
    assert requests.get(location, timeout=10).content == csv
