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


SUBMIT = {"version": "2.0", "routeKey": "$default", "rawPath": "/api/tickets",
          "rawQueryString": "", "isBase64Encoded": False,
          "headers": {"host": "x", "content-type": "application/json"},
          "body": json.dumps({"email": "ann@example.com", "product": "planner",
                              "type": "problem-report", "subject": "Export fails",
                              "description": "The export shows an error."}),
          "requestContext": {"http": {"method": "POST", "path": "/api/tickets",
                                      "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1"},
                             "stage": "$default", "requestId": "r"}}

SUBMIT_PROBE = """
import gc, json, sys
from loket.handlers.http import handle
response = handle({event!r}, None)
modules = sorted(sys.modules)
gc_after = {{"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}}
from loket.config.model import PortalFile
from loket.config.workflow import WorkflowFile
from loket.config.form_file import FormDefinition
print(json.dumps({{"status": response["statusCode"], "modules": modules, "gc": gc_after,
                  "built": [m.__name__ for m in (PortalFile, WorkflowFile, FormDefinition)
                            if m.__pydantic_complete__]}}))
"""


@pytest.fixture(scope="module")
def first_submission(tmp_path_factory):
    """A cold `http` start with a first POST /api/tickets, with the configuration
    precompiled as the Lambda zip carries it."""
    import shutil

    from loket.config.compiled import compile_config

    tmp = tmp_path_factory.mktemp("cold-submit")
    config = shutil.copytree(SITE_CONFIG, tmp / "site_config",
                             ignore=shutil.ignore_patterns(".compiled"))
    compile_config(config)
    env = {**os.environ, "LOKET_CONFIG_DIR": str(config), "LOKET_SITE_DIR": str(tmp),
           "LOKET_SQLITE_PATH": str(tmp / "loket.db"), "LOKET_OUTBOX_DIR": str(tmp),
           "LOKET_BLOB_DIR": str(tmp / "blobs")}
    out = subprocess.run([sys.executable, "-c", SUBMIT_PROBE.format(event=SUBMIT)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# holidays: the compiled configuration carries this year's public holidays, so working
# out the SLA deadlines needs no package (config/workflow.py, ClosedDays). pydantic: the
# compiled configuration holds plain frozen dataclasses (config/frozen.py). The search
# code comes with the first suggestion (search/on_first_use.py; the repository's built
# index is wired here), the other API views' services with their first request.
@pytest.mark.parametrize("heavy", ["whoosh", "loket.mail.inbound", "PIL", "zxcvbn", "argon2",
                                   "yaml", "email_validator", "holidays",
                                   "pydantic", "pydantic_core", "pydantic_settings",
                                   "loket.web.pages", "loket.web.desk_pages",
                                   "loket.web.account_pages", "loket.web.ticket_pages",
                                   "loket.search.query", "loket.services.information",
                                   "loket.services.status", "loket.services.accounts",
                                   "loket.services.ratings", "loket.services.access",
                                   "loket.services.lookup",
                                   # The page shell is the pages' (web/app.py, create_app);
                                   # no proxy in front on Lambda (CloudFront: web/edge.py).
                                   "loket.web.rendering", "werkzeug.middleware.proxy_fix"])
def test_a_cold_submission_skips_what_it_does_not_use(first_submission, heavy):
    assert first_submission["status"] == 201
    loaded = [m for m in first_submission["modules"] if m == heavy or m.startswith(heavy + ".")]
    assert not loaded


DYNAMODB_PROBE = """
import json, sys
from moto import mock_aws
with mock_aws():
    import boto3
    from loket.storage.dynamodb import create_table
    create_table(boto3.client("dynamodb", region_name="eu-west-1"), "loket-cold")
    from loket.handlers.http import handle
    response = handle({event!r}, None)
print(json.dumps({{"status": response["statusCode"], "modules": sorted(sys.modules)}}))
"""


@pytest.fixture(scope="module")
def first_submission_on_dynamodb(tmp_path_factory):
    """A cold `http` start with a first POST /api/tickets, on DynamoDB (moto, in the
    probe's own process) as on AWS."""
    tmp = tmp_path_factory.mktemp("cold-submit-dynamodb")
    env = {**os.environ, "LOKET_CONFIG_DIR": str(SITE_CONFIG), "LOKET_SITE_DIR": str(tmp),
           "LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": "loket-cold",
           "LOKET_AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
           "LOKET_OUTBOX_DIR": str(tmp), "LOKET_BLOB_DIR": str(tmp / "blobs")}
    out = subprocess.run([sys.executable, "-c", DYNAMODB_PROBE.format(event=SUBMIT)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# What the DynamoDB store reads only for the desk's and the sweep's work: erase jobs,
# refused mail, lifted suppressions (storage/dynamodb_erase_jobs.py, dynamodb_mail_in.py,
# dynamodb_mail.py and mail_records.py import them on first use).
@pytest.mark.parametrize("heavy", ["loket.domain.erase_jobs", "loket.domain.refused",
                                   "loket.storage.refused_records",
                                   "loket.domain.suppression_lifts", "loket.web.rendering"])
def test_a_cold_submission_on_dynamodb_skips_what_it_does_not_use(first_submission_on_dynamodb,
                                                                  heavy):
    assert first_submission_on_dynamodb["status"] == 201
    assert "loket.storage.dynamodb" in first_submission_on_dynamodb["modules"]
    assert heavy not in first_submission_on_dynamodb["modules"]


def test_a_cold_submission_builds_no_configuration_validator(first_submission):
    """The precompiled configuration is loaded as it is: no YAML, and the models that
    validate the files never build their validators."""
    assert first_submission["status"] == 201
    assert first_submission["built"] == []


def test_a_cold_start_leaves_the_garbage_collector_on(first_submission):
    """The cold start runs without the cyclic collector (handlers/runtime.py): after it,
    the collector is on again and what the cold start built is frozen out of its sight."""
    assert first_submission["status"] == 201
    assert first_submission["gc"]["enabled"] is True
    assert first_submission["gc"]["frozen"] > 10_000
