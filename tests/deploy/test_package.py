"""`make -f deploy.mk package` builds the Lambda zip and a valid CloudFormation
template offline, with no AWS credentials, and what it builds is what Lambda needs.

One packaging run (about 20-40 s: pip for the Lambda platform, npm ci on a fresh
clone, osls) is shared by the module; cfn-lint then checks the template.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.deploy.cloudformation import Stack

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / ".serverless" / "cloudformation-template-update-stack.json"
ZIP = ROOT / "build" / "loket-lambda.zip"
MANIFEST = ROOT / "build" / "loket-lambda.json"

# importlib.util.MAGIC_NUMBER of each CPython release line the Lambda runtimes use.
PYC_MAGIC = {"python3.11": 3495, "python3.12": 3531, "python3.13": 3571}
# What the functions do, and the handler each of them names in serverless.yml.
FUNCTIONS = {
    "HttpLambdaFunction": "loket.handlers.http.handle",
    "SweepLambdaFunction": "loket.handlers.sweep.handle",
    "MailInLambdaFunction": "loket.handlers.mail_in.handle",
}
IAM_TYPES = {"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}


def clean_env() -> dict[str, str]:
    """The caller's environment with no AWS settings (and no outer make's flags)."""
    drop = ("AWS_", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def cfn_lint() -> str:
    exe = Path(sys.executable).parent / "cfn-lint"
    return str(exe) if exe.exists() else shutil.which("cfn-lint") or "cfn-lint"


@pytest.fixture(scope="module")
def packaged(package_output):
    # One packaging run for the whole session (tests/deploy/conftest.py).
    output = package_output
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    with zipfile.ZipFile(ZIP) as zf:
        entries = {info.filename: info for info in zf.infolist()}
        pyc_headers = {name: zf.read(name)[:16] for name in entries if name.endswith(".pyc")}
    return SimpleNamespace(
        output=output, template=template, entries=entries, names=set(entries),
        pyc_headers=pyc_headers, manifest=json.loads(MANIFEST.read_text(encoding="utf-8")),
    )


def resources(template, *types):
    return {k: v for k, v in template["Resources"].items() if not types or v["Type"] in types}


def functions(template):
    return resources(template, "AWS::Lambda::Function")


def runtime_of(template) -> str:
    runtimes = {f["Properties"]["Runtime"] for f in functions(template).values()}
    assert len(runtimes) == 1, runtimes
    return runtimes.pop()


def module_file(handler: str) -> str:
    module, _, function = handler.rpartition(".")
    assert module and function, handler
    return module.replace(".", "/") + ".py"


def pyc_for(source: str, runtime: str) -> str:
    folder, _, name = source.rpartition("/")
    tag = "cpython-" + runtime.removeprefix("python").replace(".", "")
    return f"{folder}/__pycache__/{name[:-3]}.{tag}.pyc" if folder else f"__pycache__/{name[:-3]}.{tag}.pyc"


def test_package_runs_offline_and_lints_clean(packaged):
    # Packaged now, or up to date with its sources (deploy.mk rebuilds nothing then).
    assert ("Service packaged" in packaged.output
            or "Nothing to be done for 'package'" in packaged.output), packaged.output
    result = subprocess.run([cfn_lint(), str(TEMPLATE)], capture_output=True, text=True,
                            timeout=300)
    # Exit 0: no error, no warning (cfn-lint exits 2 for errors, 4 for warnings).
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_rejects_a_made_up_iam_action(packaged, tmp_path):
    """The clean lint above means something: cfn-lint knows the IAM actions, e.g. that
    dynamodb:TransactWriteItems does not exist (transactions are authorised per item)."""
    text = TEMPLATE.read_text(encoding="utf-8")
    assert '"dynamodb:DeleteItem"' in text
    bad = tmp_path / "template.json"
    bad.write_text(text.replace('"dynamodb:DeleteItem"', '"dynamodb:TransactWriteItems"'),
                   encoding="utf-8")
    result = subprocess.run([cfn_lint(), str(bad)], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "W3037" in result.stdout and "transactwriteitems" in result.stdout


def test_functions_use_the_zip_and_their_handlers_are_in_it(packaged):
    found = functions(packaged.template)
    # These three at least; every other function (mail out, SES feedback) is held to
    # the same checks below, and needs an end-to-end path (tests/deploy/test_iam_paths.py).
    assert FUNCTIONS.items() <= {name: f["Properties"]["Handler"]
                                 for name, f in found.items()}.items()
    runtime = runtime_of(packaged.template)
    assert runtime == packaged.manifest["runtime"]
    for name, function in found.items():
        key = function["Properties"]["Code"]["S3Key"]
        assert key.endswith("/" + ZIP.name), (name, key)
        source = module_file(function["Properties"]["Handler"])
        assert source in packaged.names, f"{name}: {source} is not in {ZIP.name}"
        assert pyc_for(source, runtime) in packaged.names, f"{name}: no bytecode for {source}"


def test_every_loket_module_ships_bytecode_for_the_runtime(packaged):
    runtime = runtime_of(packaged.template)
    sources = sorted(n for n in packaged.names if n.startswith("loket/") and n.endswith(".py"))
    assert "loket/__init__.py" in sources and len(sources) > 10
    missing = [s for s in sources if pyc_for(s, runtime) not in packaged.names]
    assert not missing, f"no {runtime} bytecode for {missing}"
    magic = PYC_MAGIC[runtime].to_bytes(2, "little") + b"\r\n"
    for source in sources:
        header = packaged.pyc_headers[pyc_for(source, runtime)]
        assert header[:4] == magic, f"{source}: bytecode is not {runtime}'s"
        # PEP 552 flags: 0b01 = hash-based, not checked against the source. Lambda's
        # /var/task is read-only and zip times are coarse: never recompile there.
        assert int.from_bytes(header[4:8], "little") == 0b01, source


def test_zip_is_lambda_shaped(packaged):
    names = packaged.names
    assert "site_config/portal.yml" in names  # LOKET_CONFIG_DIR=site_config, under /var/task
    assert not any(n.startswith("bin/") or "/direct_url.json" in n for n in names)
    for info in packaged.entries.values():
        mode = info.external_attr >> 16
        assert mode & 0o444 == 0o444, f"{info.filename} is not readable by Lambda's user"
    # The zip ships the locked SDK unless built with --runtime-sdk (then the SDK alone
    # is left out); nothing else is left out.
    left_out = set(packaged.manifest["left_out_runtime_provided"])
    assert left_out <= {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil",
                        "six", "urllib3"}
    for dist in left_out:
        top = {"python-dateutil": "dateutil"}.get(dist, dist)
        assert not any(n.startswith(f"{top}/") for n in names), dist
    assert packaged.manifest["unzipped_bytes"] < 250 * 1024 * 1024


def test_handlers_import_from_the_zip_with_its_own_sdk(packaged, tmp_path):
    """Unpack the zip as /var/task, put an SDK beside it as Lambda's /var/runtime
    would (the test venv's pure-Python boto3 stack), and import each handler with the
    runtime's own CPython, isolated from this machine's site-packages: the zip's SDK
    comes first, and its clients read the zip's trimmed botocore data."""
    task = tmp_path / "task"
    runtime_dir = tmp_path / "runtime"
    runtime_dir.mkdir()
    with zipfile.ZipFile(ZIP) as zf:
        zf.extractall(task)
    for module in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"):
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin, module
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (runtime_dir / source.name).symlink_to(source)

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LAMBDA_TASK_ROOT": str(task),
        "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        # Nothing may leave the machine: no instance metadata, no AWS endpoint.
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    placeholders = {"LOKET_BASE_URL": "https://d111111abcdef8.cloudfront.net",
                    "LOKET_SECRET_KEY": "test-secret-key"}
    variables = next(iter(functions(packaged.template).values()))["Properties"]["Environment"]["Variables"]
    for key, value in variables.items():
        literal = isinstance(value, str) and "{{resolve:" not in value
        env[key] = value if literal else placeholders.get(key, f"test-{key.lower()}")

    handlers = sorted({f["Properties"]["Handler"] for f in functions(packaged.template).values()})
    script = (
        "import importlib, sys\n"
        f"sys.path[:0] = [{str(task)!r}, {str(runtime_dir)!r}]\n"
        f"for handler in {handlers!r}:\n"
        "    module, _, name = handler.rpartition('.')\n"
        "    mod = importlib.import_module(module)\n"
        "    assert callable(getattr(mod, name)), handler\n"
        "    assert mod.__file__.startswith(sys.path[0]), mod.__file__\n"
        "    assert mod.__cached__ and mod.__spec__.has_location, module\n"
        "import yaml, pydantic, flask, apig_wsgi, email_validator\n"
        "import boto3, botocore\n"
        "for sdk in (boto3, botocore):\n"
        "    assert sdk.__file__.startswith(sys.path[0]), sdk.__file__\n"
        "from loket import aws\n"
        "assert 'dynamodb' in aws.bundled_services(aws._package_data())\n"
        "assert aws._botocore_session('dynamodb') is not None\n"
        "client = aws.LazyClient('dynamodb', region='eu-west-1').get()\n"
        "assert client.meta.service_model.documentation == ''  # the trimmed model\n"
        "assert boto3.client('s3').meta.service_model.documentation == ''\n"
        "print('imported', len(sys.modules), 'modules')\n"
    )
    result = subprocess.run(
        [packaged.manifest["python"], "-I", "-S", "-B", "-c", script],
        cwd=task, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "imported" in result.stdout


def test_table_schema(packaged):
    table = packaged.template["Resources"]["Table"]
    assert table["DeletionPolicy"] == "Retain"
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    # Keys and indexes come from the one source create_table reads (the tests' tables).
    from loket.storage.dynamodb import table_schema

    schema = table_schema()
    for part in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes"):
        assert props[part] == schema[part], part
    assert props["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    indexes = {i["IndexName"]: i for i in props["GlobalSecondaryIndexes"]}
    assert {"gsi1", "gsi2", "gsi3", "due"} <= set(indexes)
    assert indexes["due"]["KeySchema"] == [{"AttributeName": "due_shard", "KeyType": "HASH"},
                                           {"AttributeName": "due_at", "KeyType": "RANGE"}]
    # The sweeper works on the index's copy of each due ticket (dynamodb.md).
    assert indexes["due"]["Projection"] == {"ProjectionType": "ALL"}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}


def iam_statements(template):
    for name, resource in resources(template, *IAM_TYPES).items():
        props = resource["Properties"]
        documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
        if "PolicyDocument" in props:
            documents.append(props["PolicyDocument"])
        for document in documents:
            for statement in document["Statement"]:
                yield name, statement


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_each_function_has_its_own_least_privilege_role(packaged):
    template = packaged.template
    roles = {}
    for name, function in functions(template).items():
        role = function["Properties"]["Role"]
        assert isinstance(role, dict) and "Fn::GetAtt" in role, (name, role)
        roles[name] = role["Fn::GetAtt"][0]
        assert template["Resources"][roles[name]]["Type"] == "AWS::IAM::Role"
    assert len(set(roles.values())) == len(roles), roles
    assert "IamRoleLambdaExecution" not in template["Resources"]
    # Every role in the stack belongs to one of our functions (no shared or
    # framework-made role, e.g. for custom resources).
    assert set(resources(template, *IAM_TYPES)) == set(roles.values())

    statements = list(iam_statements(template))
    assert statements
    for role, statement in statements:
        assert statement["Effect"] == "Allow", (role, statement)
        for resource in as_list(statement["Resource"]):
            # Only ARNs built from the stack's own resources, never "*".
            assert resource != "*" and not (isinstance(resource, str) and resource.endswith(":*")), (role, statement)
        for action in as_list(statement["Action"]):
            assert "*" not in action, (role, statement)

    for function, role in roles.items():
        log_group = function.replace("LambdaFunction", "LogGroup")
        logs = [s for r, s in statements if r == role and any(
            a.startswith("logs:") for a in as_list(s["Action"]))]
        assert logs and all(s["Resource"] == {"Fn::GetAtt": [log_group, "Arn"]} for s in logs), function

    def actions(role):
        return {a for r, s in statements if r == role for a in as_list(s["Action"])}

    # No Scan but the sweep's daily clean-up of files no message names (and only if a
    # path needs it: tests/deploy/test_iam_paths.py).
    scanning = {f for f, r in roles.items() if "dynamodb:Scan" in actions(r)}
    assert scanning <= {"SweepLambdaFunction"}, scanning
    # The sweep queries the timers' index, and the agents' (gsi1) for its SLA warnings;
    # never the table itself or the customers' indexes.
    # Retention (#15) reads and rewrites a closed ticket's own items: on the table, but
    # only where the partition key is a ticket's (dynamodb:LeadingKeys), never accounts.
    partition_only = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["TICKET#*"]}}
    # An erase job reads the lifts of a suppression (beside it, SUPPRESS#<address>),
    # and does nothing else there.
    lifts_only = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["SUPPRESS#*"]}}
    sweep_conditional = [s for r, s in statements
                         if r == roles["SweepLambdaFunction"] and "Condition" in s]
    assert sweep_conditional and all(s["Condition"] in (partition_only, lifts_only)
                                     for s in sweep_conditional)
    assert {a for s in sweep_conditional for a in as_list(s["Action"])} == {
        "dynamodb:Query", "dynamodb:BatchWriteItem"}
    assert all(as_list(s["Action"]) == ["dynamodb:Query"]
               for s in sweep_conditional if s["Condition"] == lifts_only)
    sweep_queries = [s for r, s in statements
                     if r == roles["SweepLambdaFunction"] and "dynamodb:Query" in as_list(s["Action"])
                     and "Condition" not in s]
    stack = Stack(template)
    table = stack.arn("Table")
    sweep_indexes = [f"{table}/index/due", f"{table}/index/gsi1"]
    assert sweep_queries and all(stack.resolve(resource) in sweep_indexes
                                 for s in sweep_queries for resource in as_list(s["Resource"]))
