"""What users do first, through the Lambda handlers, each function under exactly the
IAM policy of its role in the packaged template, with moto's IAM enforcement on
(tests/deploy/moto_iam.py); and proof that the paths need every action the roles
allow: take one out and a path breaks.

The stack is built once per session (`make -f deploy.mk package`); each test deploys
its table, buckets and SES identity into moto from that template.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.deploy.moto_iam import role_of, role_policies, without_action
from tests.deploy.user_paths import PATHS, dispatcher_handlers, mail_is_queued

pytestmark = pytest.mark.slow

# Used by the Lambda service with the function's role, never by our code: the log
# group, and the on-failure destination of an asynchronous event.
RUNTIME_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage"}
# Needed on a path the tests cannot make happen under moto, with the reason.
RARE = {("SweepLambdaFunction", "dynamodb:GetItem"):
        "re-reads a ticket after losing a race to another writer (moto's indexes are "
        "never behind, so the sweep never loses one here)",
        ("SweepLambdaFunction", "dynamodb:UpdateItem"):
        "takes an SLA warning's once-only counter (services/sla_warnings.py): only when a "
        "running SLA deadline is within the hour, which the deployed path, run at real "
        "time, cannot promise; tests/desk/test_sla_warnings.py covers the warning",
        ("SweepLambdaFunction", "dynamodb:BatchWriteItem"):
        "retention's rewrite of a ticket too big for one transaction (over 100 items), in "
        "steps (storage/dynamodb_export.py); tests/contract/test_retention_crash_contract.py "
        "covers it"}


@pytest.mark.parametrize("path", PATHS)
def test_the_path_works_under_its_role(deployed, zip_clients, path):
    """... with the functions' clients made from the zip's trimmed SDK data alone: a
    client of a service the zip's botocore does not know would fail on Lambda."""
    handler, run = PATHS[path]
    if handler not in handlers_of(deployed.stack):
        pytest.skip(f"no function of the template runs {handler}")
    run(deployed)
    assert all(trimmed for _, trimmed in zip_clients), zip_clients


def handlers_of(stack) -> set[str]:
    return {f["Properties"]["Handler"] for f in stack.of_type("AWS::Lambda::Function").values()}


def test_every_function_has_a_path(stack):
    handlers = {f["Properties"]["Handler"] for f in
                stack.of_type("AWS::Lambda::Function").values()}
    covered = {handler for handler, _ in PATHS.values()}
    assert handlers <= covered, (
        f"no end-to-end path runs {sorted(handlers - covered)} under its role: "
        "add one to tests/deploy/user_paths.py")


def test_queued_mail_is_sent_by_a_function_of_the_stack(deployed):
    if not mail_is_queued():
        pytest.skip("mail is sent in the request; there is no queue to dispatch")
    assert dispatcher_handlers(deployed), (
        "the store queues mail, but no function in serverless.yml sends it")


def role_actions(stack) -> list[tuple[str, str]]:
    """(function, action) for every action of every function's role."""
    pairs = []
    for function in stack.of_type("AWS::Lambda::Function"):
        for document in role_policies(stack, role_of(stack, function)).values():
            for statement in document["Statement"]:
                actions = statement["Action"]
                for action in actions if isinstance(actions, list) else [actions]:
                    if action not in RUNTIME_ACTIONS and (function, action) not in pairs:
                        pairs.append((function, action))
    return pairs


def test_every_action_is_needed_by_a_path(deployed):
    """Each action of each role, taken out alone, breaks at least one path of its
    function; prints which (the list in functions/loket/handlers/README.md)."""
    stack = deployed.stack
    by_handler = {}
    for name, (handler, run) in PATHS.items():
        by_handler.setdefault(handler, []).append((name, run))
    unneeded, needs = [], {}
    for function, action in role_actions(stack):
        handler = stack.resources[function]["Properties"]["Handler"]
        policies = without_action(role_policies(stack, role_of(stack, function)), action)
        broken = first_broken(deployed, by_handler.get(handler, []), policies)
        if broken is None and (function, action) in RARE:
            needs[(function, action)] = RARE[(function, action)]
        elif broken is None:
            unneeded.append(f"{function}: {action}")
        else:
            needs[(function, action)] = broken
    for (function, action), path in needs.items():
        print(f"{function:22} {action:28} needed by: {path}")
    assert not unneeded, f"no path needs {unneeded}: remove them or add a path that does"


def first_broken(deployed, paths, policies) -> str | None:
    """The first of `paths` that fails under `policies`, each on a fresh deployment."""
    for name, run in paths:
        fresh = deployed.redeploy()
        try:
            run(fresh, policies)
        except (AssertionError, ClientError) as exc:
            del exc
            return name
    return None


def test_only_cloudfront_reaches_the_app_and_its_viewer_is_the_client(deployed):
    """As deployed: a request straight to the API's execute-api address is refused;
    through CloudFront, a forged X-Forwarded-For does not choose the address that the
    submission limit counts (CloudFront's CloudFront-Viewer-Address does)."""
    import boto3

    from tests.deploy.cloudformation import REGION
    from tests.deploy.lambda_client import LambdaClient
    from tests.deploy.user_paths import HTTP, TICKET

    with deployed.running(HTTP) as handle:
        direct = LambdaClient(handle, source_ip="198.51.100.4")
        assert direct.post("/api/tickets", json_body=TICKET).status == 403
        forged = {"x-forwarded-for": "10.9.9.9", "cloudfront-viewer-address": "10.9.9.9:1"}
        assert LambdaClient(handle, headers=forged).post(
            "/api/tickets", json_body=TICKET).status == 403
        viewer = deployed.client(handle, viewer="203.0.113.77")
        answer = viewer.post("/api/tickets", json_body=TICKET,
                             headers={"x-forwarded-for": "10.9.9.9, 10.8.8.8"})
        assert answer.status == 201, answer.text
    table = deployed.stack.name("Table")
    items = boto3.session.Session().client("dynamodb", region_name=REGION).scan(
        TableName=table)["Items"]
    hits = [i["pk"]["S"] for i in items if i["pk"]["S"].startswith("HIT#submit:")]
    assert hits and all("203.0.113.77" in h for h in hits), hits
