"""The template's stack, deployed into moto as CloudFormation would: the table as the
template declares it, its buckets, the SES identity of the support address; and each
function run with its environment and as its role, with IAM enforcement on."""

from __future__ import annotations

import importlib
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import boto3
import pytest

from tests.deploy.cloudformation import REGION, Stack
from tests.deploy.lambda_client import LambdaClient
from tests.deploy.moto_iam import as_role, assume, role_of, role_policies

# Values for what CloudFormation resolves at deploy time ({{resolve:...}}), by a word
# in the reference: the same reference gets the same value wherever it is used.
DYNAMIC = {"secret-key": "test-secret-key", "originsecret": "test-origin-secret"}
# What the sandbox gives everyone who is not a role (tests/stores.py).
OPERATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing"}
# CloudFront's edge server, the peer API Gateway sees (requestContext.http.sourceIp).
EDGE_ADDRESS = "130.176.0.12"


def resolve_dynamic(value: str) -> str:
    def one(found: re.Match) -> str:
        words = [word for word in DYNAMIC if word in found.group(1).lower()]
        assert len(words) == 1, f"no test value for {found.group(0)}"
        return DYNAMIC[words[0]]
    return re.sub(r"\{\{resolve:([^}]*)\}\}", one, value)


@dataclass
class Deployment:
    stack: Stack
    monkeypatch: pytest.MonkeyPatch
    roles: dict[str, str] = field(default_factory=dict)

    def function(self, handler: str) -> str:
        """The logical id of the function whose handler is `handler`."""
        found = [name for name, f in self.stack.of_type("AWS::Lambda::Function").items()
                 if f["Properties"]["Handler"] == handler]
        assert len(found) == 1, (handler, found)
        return found[0]

    def environment(self, function: str) -> dict[str, str]:
        variables = self.stack.resources[function]["Properties"]["Environment"]["Variables"]
        env = {}
        for name, value in variables.items():
            env[name] = resolve_dynamic(str(self.stack.resolve(value)))
        return env

    def origin_headers(self) -> dict[str, str]:
        """The headers CloudFront adds to every request to the app's origin."""
        [distribution] = self.stack.of_type("AWS::CloudFront::Distribution").values()
        origins = distribution["Properties"]["DistributionConfig"]["Origins"]
        [api] = [o for o in origins if o["Id"] == "api"]
        return {h["HeaderName"].lower(): resolve_dynamic(self.stack.resolve(h["HeaderValue"]))
                for h in api.get("OriginCustomHeaders", [])}

    def client(self, handle, *, viewer: str = "203.0.113.9", **kwargs) -> LambdaClient:
        """A browser at `viewer`, its requests as CloudFront sends them on: from an
        edge server's address, with the origin's headers and CloudFront-Viewer-Address."""
        headers = {**self.origin_headers(), "cloudfront-viewer-address": f"{viewer}:50432"}
        return LambdaClient(handle, source_ip=EDGE_ADDRESS, headers=headers, **kwargs)

    @contextmanager
    def running(self, handler: str, *, policies: dict[str, dict] | None = None,
                extra_env: dict[str, str] | None = None) -> Iterator[Any]:
        """Import the handler's module fresh and run it with the function's environment,
        as the function's role (or under `policies` instead of the role's own)."""
        function = self.function(handler)
        role = role_of(self.stack, function)
        policies = role_policies(self.stack, role) if policies is None else policies
        role_name = f"{role}-{len(self.roles)}"
        self.roles[role_name] = role
        with self.as_operator():  # Making the role is the deployer's act, not the role's.
            credentials = assume(role_name, policies)
        module = importlib.import_module(handler.rpartition(".")[0])
        with self.monkeypatch.context() as patch:
            for name, value in {**self.environment(function), **(extra_env or {})}.items():
                patch.setenv(name, value)
            module.reset()
            try:
                with as_role(patch, credentials):
                    yield module.handle
            finally:
                module.reset()

    def redeploy(self) -> "Deployment":
        """A fresh moto account with the stack deployed again (nothing left over)."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        return deploy(self.stack, self.monkeypatch)

    @contextmanager
    def as_operator(self) -> Iterator[None]:
        """The operator's own rights (no role, no IAM checks), even inside a role's run."""
        from moto.core.authorization import disable_iam_authentication

        with self.monkeypatch.context() as patch:
            for name, value in OPERATOR_CREDENTIALS.items():
                patch.setenv(name, value)
            with disable_iam_authentication():
                yield

    def operator_services(self):
        """The services as an operator's CLI builds them (its own rights, not a role's)."""
        from loket.settings import Settings
        from loket.wiring import build_services

        with self.monkeypatch.context() as patch:
            for name, value in self.environment(self.function("loket.handlers.http.handle")).items():
                patch.setenv(name, value)
            return build_services(Settings())


def deploy(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    _create_table(stack)
    _restore_existing_table(stack)
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in stack.of_type("AWS::S3::Bucket"):
        s3.create_bucket(Bucket=stack.name(bucket),
                         CreateBucketConfiguration={"LocationConstraint": REGION})
    sqs = boto3.client("sqs", region_name=REGION)
    for queue in stack.of_type("AWS::SQS::Queue"):
        sqs.create_queue(QueueName=stack.name(queue))
    ses = boto3.client("ses", region_name=REGION)
    for rule in stack.of_type("AWS::SES::ReceiptRule").values():
        for recipient in rule["Properties"]["Rule"]["Recipients"]:
            ses.verify_domain_identity(Domain=recipient.rpartition("@")[2])
    deployment = Deployment(stack, monkeypatch)
    _put_secret_keys(deployment)
    return deployment


def _put_secret_keys(deployment: Deployment) -> None:
    """The SecureString the operator puts before the first deploy."""
    ssm = boto3.client("ssm", region_name=REGION)
    names = {deployment.environment(f).get("LOKET_SECRET_KEY_PARAMETER")
             for f in deployment.stack.of_type("AWS::Lambda::Function")}
    for name in filter(None, names):
        ssm.put_parameter(Name=name, Value=DYNAMIC["secret-key"], Type="SecureString")


def _create_table(stack: Stack) -> None:
    """The table exactly as the template declares it (keys, indexes, TTL)."""
    [(logical_id, table)] = stack.of_type("AWS::DynamoDB::Table").items()
    props = stack.resolve(table["Properties"])
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(**{k: props[k] for k in (
        "TableName", "BillingMode", "AttributeDefinitions", "KeySchema",
        "GlobalSecondaryIndexes")})
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=props["TableName"], TimeToLiveSpecification=ttl)


def _restore_existing_table(stack: Stack) -> None:
    """The table serverless.yml's `table` param names, made as README.md's restore makes
    it: a point-in-time restore of the stack's own table (its keys, indexes and items),
    then TTL and point-in-time recovery turned on as the README says."""
    name = stack.parameters.get("ExistingTable")
    if not name:
        return
    client = boto3.client("dynamodb", region_name=REGION)
    own = stack.name("Table")
    client.update_continuous_backups(TableName=own, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    client.restore_table_to_point_in_time(SourceTableName=own, TargetTableName=name,
                                          UseLatestRestorableTime=True)
    ttl = stack.resolve(stack.resources["Table"]["Properties"]["TimeToLiveSpecification"])
    client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    client.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
