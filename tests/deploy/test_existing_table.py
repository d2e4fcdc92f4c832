"""serverless.yml's `table` param points the stack at an existing table, e.g. one made
by a point-in-time restore (README.md, "DynamoDB: point-in-time recovery").

The template is packaged with `--param=table=...` and without it (osls, from one copy
of serverless.yml, in a folder of its own): resolved, the two differ only in which
table they name, the stack keeps its own table resource either way, and the users'
paths work under the roles against a restored table.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3
import pytest

from tests.deploy.cloudformation import (ACCOUNT, PARTITION, REGION, Stack, Unresolvable,
                                         load_template, package_with_params, service_copy)
from tests.deploy.deployment import deploy
from tests.deploy.test_package import cfn_lint
from tests.deploy.user_paths import PATHS

pytestmark = pytest.mark.slow

RESTORED = "loket-dev-restored"


def table_arn(name: str) -> str:
    return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


@pytest.fixture(scope="module")
def packages(package_output, tmp_path_factory) -> dict[str, Path]:
    """The template without the param and with it, packaged from the same copy."""
    folder = tmp_path_factory.mktemp("table-param")
    service = service_copy(folder)
    return {"own": package_with_params(service, folder / "own", {}),
            "restored": package_with_params(service, folder / "restored",
                                            {"table": RESTORED})}


@pytest.fixture(scope="module")
def restored_template_path(packages) -> Path:
    return packages["restored"]


@pytest.fixture(scope="module")
def own(packages) -> Stack:
    return Stack(load_template(packages["own"]))


@pytest.fixture(scope="module")
def restored(restored_template_path) -> Stack:
    return Stack(load_template(restored_template_path))


class Tracing(Stack):
    """Resolves every part of the template it can (a placeholder for what only AWS knows)
    and records each reference it follows to the stack's own table; `table_name`, if
    given, is the name that table's references resolve to."""

    def __init__(self, template: dict, table_name: str | None = None):
        super().__init__(template)
        self.table_name = table_name
        self.own_table_refs: list[str] = []

    def name(self, logical_id: str) -> str:
        if logical_id == "Table" and self.table_name:
            return self.table_name
        return super().name(logical_id)

    def ref(self, name: str) -> str:
        if name == "Table":
            self.own_table_refs.append(f"Ref {name}")
        try:
            return super().ref(name)
        except Unresolvable:
            return f"<Ref {name}>"

    def get_att(self, logical_id: str, attribute: str) -> str:
        if logical_id == "Table":
            self.own_table_refs.append(f"GetAtt {logical_id}.{attribute}")
        try:
            return super().get_att(logical_id, attribute)
        except Unresolvable:
            return f"<GetAtt {logical_id}.{attribute}>"


def resolved(template: dict, table_name: str | None = None) -> tuple[str, list[str]]:
    """Every resource but the table itself, and the outputs, resolved, as JSON; and
    the references to the stack's own table followed on the way."""
    stack = Tracing(template, table_name)
    parts = {"Resources": {name: stack.resolve(resource)
                           for name, resource in stack.resources.items() if name != "Table"},
             "Outputs": stack.resolve(template.get("Outputs", {}))}
    for function in stack.of_type("AWS::Lambda::Function"):
        # The zip's key holds the moment of packaging: each package has its own.
        del parts["Resources"][function]["Properties"]["Code"]["S3Key"]
    return json.dumps(parts, indent=1, sort_keys=True), stack.own_table_refs


def test_the_param_reaches_the_stack_parameter(template, restored):
    assert template["Parameters"]["ExistingTable"]["Default"] == ""
    assert restored.parameters["ExistingTable"] == RESTORED


def test_the_template_with_the_param_lints_clean(restored_template_path):
    result = subprocess.run([cfn_lint(), str(restored_template_path)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_the_param_everything_names_the_stacks_table(stack):
    own = stack.name("Table")
    assert own == "loket-dev"
    text, followed = resolved(stack.template)
    assert followed, "nothing refers to the stack's table"
    for function in stack.of_type("AWS::Lambda::Function"):
        variables = stack.resources[function]["Properties"]["Environment"]["Variables"]
        assert stack.resolve(variables["LOKET_DYNAMODB_TABLE"]) == own, function
    arns = _dynamodb_arns(json.loads(text))
    assert len(arns) >= 10 and all(a == table_arn(own) or a.startswith(table_arn(own) + "/index/")
                        for a in arns), arns


def test_with_the_param_everything_names_the_restored_table(own, restored):
    """Resolved, the template with the param is the one without it with every
    reference to the stack's table resolving to the restored one: every function's
    environment, every IAM statement (the table and its indexes), the outputs, and
    whatever else may name it (there is no stream or alarm of the table today): the
    whole template is compared."""
    before, followed_before = resolved(own.template, table_name=RESTORED)
    after, followed = resolved(restored.template)
    assert followed_before and followed == [], "still refers to the stack's own table"
    assert after == before
    own_arn = table_arn(own.name("Table"))
    assert own_arn + '"' not in after and own_arn + "/" not in after
    for function in restored.of_type("AWS::Lambda::Function"):
        variables = restored.resources[function]["Properties"]["Environment"]["Variables"]
        assert restored.resolve(variables["LOKET_DYNAMODB_TABLE"]) == RESTORED, function
    arns = _dynamodb_arns(json.loads(after))
    assert len(arns) >= 10 and all(a == table_arn(RESTORED) or a.startswith(
        table_arn(RESTORED) + "/index/") for a in arns), arns


def test_the_stacks_own_table_stays_as_it_was(template, restored):
    """The switch neither removes nor changes the stack's table (a conditional removal
    would leave no way back: the name would exist when the stack made it again)."""
    table = restored.resources["Table"]
    assert table == template["Resources"]["Table"]
    assert "Condition" not in table
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True


@pytest.fixture
def deployed_restored(restored, monkeypatch):
    """moto with the stack deployed, and its table restored to RESTORED as README.md says."""
    from tests.stores import store_sandbox

    with store_sandbox("dynamodb", monkeypatch):
        yield deploy(restored, monkeypatch)


def test_the_restored_table_has_the_schema_of_the_one_source(deployed_restored):
    from loket.storage.dynamodb import table_schema

    client = boto3.client("dynamodb", region_name=REGION)
    table = client.describe_table(TableName=RESTORED)["Table"]
    schema = table_schema()
    assert table["KeySchema"] == schema["KeySchema"]
    indexes = {i["IndexName"]: (i["KeySchema"], i["Projection"])
               for i in table["GlobalSecondaryIndexes"]}
    assert indexes == {i["IndexName"]: (i["KeySchema"], i["Projection"])
                       for i in schema["GlobalSecondaryIndexes"]}


@pytest.mark.parametrize("path", PATHS)
def test_the_path_works_on_the_restored_table_under_its_role(deployed_restored, path):
    """The roles' policies fit the restored table (IAM enforced), and nothing is
    written to the stack's own table."""
    _, run = PATHS[path]
    run(deployed_restored)
    with deployed_restored.as_operator():
        client = boto3.client("dynamodb", region_name=REGION)
        assert client.scan(TableName=RESTORED, Limit=1)["Items"], "nothing was written"
        own = deployed_restored.stack.name("Table")
        assert client.scan(TableName=own)["Items"] == []


def _dynamodb_arns(value) -> list[str]:
    if isinstance(value, dict):
        return [a for v in value.values() for a in _dynamodb_arns(v)]
    if isinstance(value, list):
        return [a for v in value for a in _dynamodb_arns(v)]
    return [value] if isinstance(value, str) and value.startswith("arn:aws:dynamodb:") else []
