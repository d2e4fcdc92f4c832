"""Requests only through CloudFront, and the client's address from what CloudFront saw
(web/edge.py): forged X-Forwarded-For and CloudFront headers change nothing, also
through the Lambda bridge (apig-wsgi, API Gateway payload 2.0)."""

from __future__ import annotations

import copy
import json

import pytest
from apig_wsgi import make_lambda_handler
from pydantic import ValidationError

from loket.settings import Settings
from loket.web.app import create_app
from loket.web.edge import viewer_address
from tests.aws.conftest import corpus_event
from tests.paths import SITE_CONFIG

SECRET = "s3cret-origin-value"
EDGE = "130.176.0.12"  # a CloudFront edge server: API Gateway's sourceIp


def app_with(services, tmp_path, **settings):
    app = create_app(Settings(site_dir=tmp_path / "no-site", config_dir=SITE_CONFIG,
                              **settings), services=services)
    # What the rate limits and logs see as the client.
    app.add_url_rule("/api/test-whoami", "whoami",
                     lambda: {"address": __import__("flask").request.remote_addr})
    return app


def event(headers: dict, source_ip: str = EDGE) -> dict:
    sample = copy.deepcopy(corpus_event("apiGatewayProxyV2Event.json"))
    sample.update(rawPath="/api/test-whoami", rawQueryString="", body=None,
                  isBase64Encoded=False, headers={"host": "abc.execute-api.example", **headers})
    sample.pop("cookies", None)
    sample["requestContext"]["http"].update(method="GET", path="/api/test-whoami",
                                            sourceIp=source_ip)
    return sample


def ask(app, headers: dict, source_ip: str = EDGE) -> tuple[int, dict]:
    response = make_lambda_handler(app)(event(headers, source_ip), None)
    return response["statusCode"], json.loads(response["body"])


FORGED = {"x-forwarded-for": "10.0.0.1, 192.0.2.66", "x-real-ip": "10.0.0.1",
          "forwarded": "for=10.0.0.1"}


def test_without_cloudfront_settings_the_peer_is_the_client(services, tmp_path):
    status, body = ask(app_with(services, tmp_path), FORGED, source_ip="198.51.100.4")
    assert (status, body["address"]) == (200, "198.51.100.4")


def test_through_cloudfront_the_viewer_is_the_client(services, tmp_path):
    app = app_with(services, tmp_path, origin_secret=SECRET)
    status, body = ask(app, {"x-origin-verify": SECRET,
                             "cloudfront-viewer-address": "203.0.113.9:50432", **FORGED})
    assert (status, body["address"]) == (200, "203.0.113.9")
    status, body = ask(app, {"x-origin-verify": SECRET,
                             "cloudfront-viewer-address": "2001:db8::7:443"})
    assert body["address"] == "2001:db8::7"


def test_without_the_viewer_header_the_edge_is_the_client_never_a_forged_one(
        services, tmp_path):
    app = app_with(services, tmp_path, origin_secret=SECRET)
    for viewer in ("", "not-an-address", "10.0.0.1"):
        status, body = ask(app, {"x-origin-verify": SECRET,
                                 "cloudfront-viewer-address": viewer, **FORGED})
        assert status == 200 and body["address"] == EDGE, viewer


@pytest.mark.parametrize("given", [None, "", "wrong", SECRET[:-1], SECRET + "x"])
def test_requests_not_through_cloudfront_are_refused(services, tmp_path, given):
    app = app_with(services, tmp_path, origin_secret=SECRET)
    headers = {"cloudfront-viewer-address": "203.0.113.9:1", **FORGED}
    if given is not None:
        headers["x-origin-verify"] = given
    status, body = ask(app, headers, source_ip="198.51.100.4")
    assert status == 403 and body["status"] == 403
    # Refused before the app: nothing of it ran.
    assert "address" not in body


def test_a_changing_secret_accepts_both_and_the_app_never_sees_it(services, tmp_path):
    app = app_with(services, tmp_path, origin_secret=f"new-value {SECRET}")
    seen = {}

    @app.get("/api/test-headers")
    def headers():
        seen.update(__import__("flask").request.headers)
        return {}
    for secret in ("new-value", SECRET):
        assert ask(app, {"x-origin-verify": secret})[0] == 200
    client = app.test_client()
    assert client.get("/api/test-headers", headers={"X-Origin-Verify": SECRET}).status_code == 200
    assert "X-Origin-Verify" not in seen


def test_origin_secret_and_trusted_proxies_exclude_each_other(tmp_path):
    with pytest.raises(ValidationError, match="LOKET_ORIGIN_SECRET and LOKET_TRUSTED_PROXIES"):
        Settings(site_dir=tmp_path, origin_secret=SECRET, trusted_proxies=1)


@pytest.mark.parametrize("header, address", [
    ("198.51.100.7:46532", "198.51.100.7"), ("2001:db8::1:443", "2001:db8::1"),
    ("[2001:db8::1]:443", "2001:db8::1"), ("198.51.100.7", None), ("", None),
    ("example.com:443", None), (":443", None)])
def test_viewer_address(header, address):
    assert viewer_address(header) == address


def test_the_lambda_handler_refuses_to_trust_forwarded_for(monkeypatch):
    """On Lambda nothing appends to X-Forwarded-For that a caller cannot write."""
    from loket.handlers import http

    monkeypatch.setenv("LOKET_TRUSTED_PROXIES", "1")
    http.reset()
    try:
        with pytest.raises(RuntimeError, match="LOKET_ORIGIN_SECRET"):
            http.handle(event({}), None)
    finally:
        http.reset()
