"""The packaged template, built once per test session (`make -f deploy.mk package`
takes 20-60 s), and a moto account set up as that template would deploy it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.aws_clients import record_client_sessions
from tests.deploy.cloudformation import TEMPLATE, Stack, load_template, package
from tests.paths import ROOT


@pytest.fixture(scope="session")
def package_output() -> str:
    """Package once for the whole session; every deploy test reads what it built.
    REUSE_PACKAGE=1 reads the last package instead (for a quick loop while editing
    tests; never in CI)."""
    if os.environ.get("REUSE_PACKAGE") == "1" and TEMPLATE.exists():
        return "Service packaged (reused)"
    return package()


@pytest.fixture(scope="session")
def template(package_output) -> dict:
    return load_template()


@pytest.fixture(scope="session")
def stack(template) -> Stack:
    return Stack(template)


@pytest.fixture(scope="session")
def sdk_data(tmp_path_factory) -> Path:
    """The trimmed botocore data the zip's botocore carries (tools/botocore_bundle.py),
    written from the locked botocore this venv has."""
    import botocore

    sys.path.insert(0, str(ROOT / "tools"))
    import botocore_bundle

    folder = tmp_path_factory.mktemp("botocore-data")
    botocore_bundle.write_bundle(Path(botocore.__file__).parent, folder)
    return folder


@pytest.fixture
def zip_clients(sdk_data, monkeypatch) -> list[tuple[str, bool]]:
    """The functions' clients made from the trimmed data alone, as in the zip; each
    LazyClient made is recorded as (service, made from the trimmed data)."""
    from loket import aws

    monkeypatch.setattr(aws, "BUNDLED_DATA", sdk_data)
    return record_client_sessions(monkeypatch)


@pytest.fixture
def deployed(stack, monkeypatch):
    """moto with the template's table, buckets and SES identity, and the functions'
    environment as the template sets it; IAM enforcement is off until a test takes
    on a role (tests/deploy/moto_iam.py)."""
    from tests.deploy.deployment import deploy
    from tests.stores import store_sandbox

    with store_sandbox("dynamodb", monkeypatch):
        yield deploy(stack, monkeypatch)
