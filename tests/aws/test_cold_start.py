"""Each handler loads only what it uses: checked in a fresh interpreter per handler."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.paths import ROOT, SITE_CONFIG

PROBE = """
import json, sys
from loket.handlers.{module} import handle
imported_at_import = sorted(sys.modules)
handle({event!r}, None)
print(json.dumps({{"after_import": imported_at_import, "after_call": sorted(sys.modules)}}))
"""

HEALTH = {"version": "2.0", "routeKey": "$default", "rawPath": "/api/health",
          "rawQueryString": "", "headers": {"host": "x"}, "isBase64Encoded": False,
          "requestContext": {"http": {"method": "GET", "path": "/api/health",
                                      "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1"},
                             "stage": "$default", "requestId": "r"}}


def loaded_modules(module: str, event: dict, tmp_path) -> dict[str, list[str]]:
    env = {**os.environ, "LOKET_CONFIG_DIR": str(SITE_CONFIG), "LOKET_SITE_DIR": str(tmp_path),
           "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"), "LOKET_OUTBOX_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", PROBE.format(module=module, event=event)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_http_handler_loads_almost_nothing(tmp_path):
    modules = loaded_modules("http", HEALTH, tmp_path)
    assert "flask" not in modules["after_import"]
    assert "boto3" not in modules["after_import"]


@pytest.mark.parametrize("heavy", ["whoosh", "loket.mail.inbound",
                                   "email_validator", "boto3"])
def test_the_http_handlers_first_request_skips_what_it_does_not_use(tmp_path, heavy):
    modules = loaded_modules("http", HEALTH, tmp_path)["after_call"]
    assert not [m for m in modules if m == heavy or m.startswith(heavy + ".")]
