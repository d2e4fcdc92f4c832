"""The packaged template, built once per test session (`make -f deploy.mk package`
takes 20-60 s), and a moto account set up as that template would deploy it."""

from __future__ import annotations

import os

import pytest

from tests.deploy.cloudformation import TEMPLATE, Stack, load_template, package


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


@pytest.fixture
def deployed(stack, monkeypatch):
    """moto with the template's table, buckets and SES identity, and the functions'
    environment as the template sets it; IAM enforcement is off until a test takes
    on a role (tests/deploy/moto_iam.py)."""
    from tests.deploy.deployment import deploy
    from tests.stores import store_sandbox

    with store_sandbox("dynamodb", monkeypatch):
        yield deploy(stack, monkeypatch)
