"""The trimmed SDK data the Lambda zip carries in its botocore (tools/botocore_bundle.py,
read by loket.aws): clients made from it alone are botocore's own clients, less the
documentation, and the functions work with them; the build's trimming of a botocore
package leaves exactly that data; data from another botocore than the running one, or
botocore's whole data, is not read as trimmed data."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import boto3
import botocore
import botocore.loaders
import botocore.session
import pytest

from loket import aws as loket_aws
from tests.aws.conftest import http_event
from tests.aws_clients import record_client_sessions
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
    # Read by S3's endpoint resolution, with each parameter's documentation.
    assert model.client_context_parameters == own_model.client_context_parameters


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

    made = record_client_sessions(monkeypatch)
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


def test_data_of_another_botocore_is_not_read(bundle, tmp_path, caplog):
    other = tmp_path / "other"
    other.mkdir()
    (other / "dynamodb").mkdir()
    (other / "BOTOCORE_VERSION").write_text("999.0.0\n")
    assert loket_aws.bundled_services(other) == frozenset()
    assert "not the one the data" in caplog.text  # said once, in the function's log
    assert loket_aws._botocore_session("dynamodb", other) is None
    assert loket_aws.bundled_services(tmp_path / "nothing") == frozenset()
    assert loket_aws._botocore_session("sqs", bundle) is None  # not a function's service


def test_botocore_s_whole_data_is_not_taken_for_trimmed_data():
    """Outside the zip (the venv's botocore) clients come from botocore's own loader."""
    assert loket_aws.BUNDLED_DATA is None
    assert loket_aws.bundled_services(loket_aws._package_data()) == frozenset()
    assert loket_aws._botocore_session("dynamodb") is None


@pytest.fixture
def botocore_package(tmp_path) -> Path:
    """A copy of the venv's botocore package as pip installs it into the zip's tree,
    with the data of the functions' services and of one other (sqs) only, to keep the
    copy small, and boto3's data folder beside it."""
    real = Path(botocore.__file__).parent
    site = tmp_path / "site"
    package = site / "botocore"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text((real / "__init__.py").read_text())
    for entry in (real / "data").iterdir():
        if entry.is_file():
            (package / "data" / entry.name).write_bytes(entry.read_bytes())
        elif entry.name in (*botocore_bundle.SERVICES, "sqs"):
            shutil.copytree(entry, package / "data" / entry.name)
    shutil.copytree(Path(boto3.__file__).parent / "data", site / "boto3" / "data")
    for name, version in (("botocore", botocore.__version__), ("boto3", boto3.__version__)):
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        rows = [f"{p.relative_to(site).as_posix()},sha256=x,1\n"
                for p in sorted((site / name).rglob("*")) if p.is_file()]
        (info / "RECORD").write_text("".join(rows) + f"{info.name}/RECORD,,\n")
    return package


def test_the_build_trims_botocore_s_own_data_folder(botocore_package):
    from botocore.exceptions import UnknownServiceError

    botocore_bundle.trim_package_data(botocore_package)
    data = botocore_package / "data"
    assert {p.name for p in data.iterdir() if p.is_dir()} == set(botocore_bundle.SERVICES)
    assert (data / "BOTOCORE_VERSION").read_text().strip() == botocore.__version__
    assert loket_aws.bundled_services(data) == frozenset(botocore_bundle.SERVICES)
    # botocore's own loader finds the functions' services there and nothing else.
    session = botocore.session.Session()
    session.register_component("data_loader", botocore.loaders.Loader(
        extra_search_paths=[str(data)], include_default_search_paths=False))
    session.create_client("dynamodb", region_name=AWS_REGION)
    with pytest.raises(UnknownServiceError):
        session.create_client("sqs", region_name=AWS_REGION)
    # The package's RECORD lists what ships, neither more nor less.
    record = next(botocore_package.parent.glob("botocore-*.dist-info/RECORD")).read_text()
    listed = {row.split(",")[0] for row in record.splitlines() if row.startswith("botocore/data/")}
    present = {p.relative_to(botocore_package.parent).as_posix()
               for p in data.rglob("*") if p.is_file()}
    assert listed == present and "botocore/data/sqs" not in record
    # boto3's resource models: those of the functions' services only (none is made).
    boto3_data = botocore_package.parent / "boto3" / "data"
    assert {p.name for p in boto3_data.iterdir()} <= set(botocore_bundle.SERVICES)
    record = next(botocore_package.parent.glob("boto3-*.dist-info/RECORD")).read_text()
    assert "boto3/data/ec2/" not in record and "boto3/data/dynamodb/" in record
