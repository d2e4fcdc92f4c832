"""The trimmed SDK data the Lambda zip carries (tools/botocore_bundle.py, read by
loket.aws): clients made from it alone are botocore's own clients, less the
documentation, and the functions work with them; a botocore older than the data's
falls back to its own data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import botocore
import pytest

from loket import aws as loket_aws
from tests.aws.conftest import http_event
from tests.paths import ROOT
from tests.stores import AWS_REGION

sys.path.insert(0, str(ROOT / "tools"))
import botocore_bundle  # noqa: E402

REGIONS = ("eu-west-1", "us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("botocore_data")
    botocore_bundle.write_bundle(Path(botocore.__file__).parent, folder)
    return folder


@pytest.fixture
def bundled(bundle, monkeypatch) -> Path:
    """The functions' clients made from the bundle, as in the zip."""
    monkeypatch.setattr(loket_aws, "BUNDLED_DATA", bundle)
    return bundle


def clients(service: str, bundle: Path, region: str):
    own = boto3.session.Session().client(service, region_name=region)
    trimmed = boto3.session.Session(
        botocore_session=loket_aws._botocore_session(service, bundle)).client(service, region_name=region)
    return own, trimmed


def xform(operation: str) -> str:
    """The client method's name of an operation (GetItem: get_item)."""
    from botocore import xform_name

    return xform_name(operation)


def shape_outline(shape, depth=0):
    """A shape's structure: type and members, nested (no documentation)."""
    if shape is None or depth > 6:
        return None
    members = getattr(shape, "members", None)
    inner = {k: shape_outline(v, depth + 1) for k, v in members.items()} if members else None
    return (shape.type_name, inner)


@pytest.mark.parametrize("service", botocore_bundle.SERVICES)
def test_a_bundled_client_is_botocore_s_own_without_the_documentation(bundle, service,
                                                                       monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    for region in REGIONS:
        own, trimmed = clients(service, bundle, region)
        assert trimmed.meta.endpoint_url == own.meta.endpoint_url, region
    own_model, model = own.meta.service_model, trimmed.meta.service_model
    assert model.documentation == "" and own_model.documentation != ""
    assert model.operation_names == own_model.operation_names
    for name in model.operation_names:
        ours, theirs = model.operation_model(name), own_model.operation_model(name)
        assert shape_outline(ours.input_shape) == shape_outline(theirs.input_shape), name
        assert shape_outline(ours.output_shape) == shape_outline(theirs.output_shape), name
        assert trimmed.can_paginate(xform(name)) == own.can_paginate(xform(name)), name
    assert trimmed.waiter_names == own.waiter_names


def test_the_bundle_holds_only_the_functions_services(bundle):
    endpoints = json.loads((bundle / "endpoints.json").read_text())
    services = {name for partition in endpoints["partitions"] for name in partition["services"]}
    assert services <= set(botocore_bundle.SERVICES)
    assert loket_aws.bundled_services(bundle) == frozenset(botocore_bundle.SERVICES)
    assert (bundle / "BOTOCORE_VERSION").read_text().strip() == botocore.__version__


def test_the_functions_run_on_bundled_clients(aws, bundled, sent_mail, monkeypatch):
    """A submission (DynamoDB: counter, transaction), its look-up, and the receipt sent by
    the dispatcher (DynamoDB's index, SES), with clients read from the bundle alone."""
    from loket.handlers import http

    made = []
    real = loket_aws._botocore_session

    def recording(service, data=None):
        session = real(service, data)
        made.append((service, session is not None))
        return session

    monkeypatch.setattr(loket_aws, "_botocore_session", recording)
    http.reset()
    try:
        response = http.handle(http_event(
            "POST", "/api/tickets", headers={"content-type": "application/json"},
            body=json.dumps({"email": "ann@example.com", "product": "planner",
                             "type": "problem-report", "subject": "Export fails",
                             "description": "The export shows an error."})), None)
        assert response["statusCode"] == 201
        receipt = json.loads(response["body"])
        looked_up = http.handle(http_event("GET", f"/api/tickets/{receipt['number']}",
                                           query=f"token={receipt['token']}"), None)
        assert looked_up["statusCode"] == 200
        assert len(sent_mail()) == 1
    finally:
        http.reset()
    assert ("dynamodb", True) in made and ("ses", True) in made


def test_an_older_botocore_than_the_data_s_uses_its_own(bundle, tmp_path, caplog):
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "dynamodb").mkdir()
    (newer / "BOTOCORE_VERSION").write_text("999.0.0\n")
    assert loket_aws.bundled_services(newer) == frozenset()
    assert "older than the data" in caplog.text  # said once, in the function's log
    assert loket_aws._botocore_session("dynamodb", newer) is None
    assert loket_aws.bundled_services(tmp_path / "nothing") == frozenset()
    assert loket_aws._botocore_session("sqs", bundle) is None  # not a function's service
