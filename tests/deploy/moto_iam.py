"""Run code as one of the template's IAM roles, with moto's IAM enforcement on.

moto checks every request's action against the caller's policies once
INITIAL_NO_AUTH_ACTION_COUNT is 0 (`moto.core.authorization.enable_iam_authentication`).
Out of the box it knows the resource only for S3; for DynamoDB, SES and SSM it checks
against "*", so a policy that names its table would deny everything, and a
TransactWriteItems would be checked as the made-up action dynamodb:TransactWriteItems.
`resource_aware()` teaches it what AWS does:

- DynamoDB: the table's ARN (with /index/NAME for an index query); a transaction is
  authorised per item (PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem).
- SES SendRawEmail: the identity ARN of the sender's domain.
- SSM GetParameter(s): the parameter's ARN; Secrets Manager: the secret's ARN.

Anything else keeps moto's own check.
"""

from __future__ import annotations

import base64
import json
from contextlib import contextmanager
from email import message_from_bytes
from email.utils import parseaddr
from typing import Iterator

import boto3
import pytest
from moto.core.authorization import ActionAuthenticatorMixin, enable_iam_authentication
from moto.iam.access_control import IAMRequest

from tests.deploy.cloudformation import ACCOUNT, PARTITION, REGION, Stack

TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


def role_of(stack: Stack, function: str) -> str:
    role = stack.resources[function]["Properties"]["Role"]
    assert isinstance(role, dict) and "Fn::GetAtt" in role, (function, role)
    return role["Fn::GetAtt"][0]


def role_policies(stack: Stack, role: str) -> dict[str, dict]:
    """The role's inline policies, resolved to moto's account: name -> document."""
    props = stack.resources[role]["Properties"]
    return {p["PolicyName"]: stack.resolve(p["PolicyDocument"]) for p in props["Policies"]}


def without_action(policies: dict[str, dict], action: str) -> dict[str, dict]:
    """The same policies less one action (to prove that the tests would notice)."""
    out = {}
    for name, document in policies.items():
        statements = []
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) \
                else [statement["Action"]]
            kept = [a for a in actions if a != action]
            if kept:
                statements.append({**statement, "Action": kept})
        out[name] = {**document, "Statement": statements}
    return out


def assume(role_name: str, policies: dict[str, dict]) -> dict[str, str]:
    """An IAM principal in moto with exactly these inline policies; returns its keys as
    environment variables. It is a user, not an assumed role: moto's S3 does not know
    session credentials (it looks for the token header case-sensitively), and the
    policy evaluation is the same."""
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName=role_name)
    for name, document in policies.items():
        iam.put_user_policy(UserName=role_name, PolicyName=name,
                            PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=role_name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


@contextmanager
def as_role(monkeypatch: pytest.MonkeyPatch, credentials: dict[str, str]) -> Iterator[None]:
    """Every boto3 client made inside uses the role's credentials, and moto enforces
    the role's policies on every request (resource-aware, see the module's doc)."""
    with monkeypatch.context() as patch:
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        for name, value in credentials.items():
            patch.setenv(name, value)
        with resource_aware(), enable_iam_authentication():
            yield


@contextmanager
def resource_aware() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ActionAuthenticatorMixin, "_authenticate_and_authorize_normal_action",
                      _authorize)
        yield


def _authorize(self, resource: str = "*") -> None:
    checks = _checks(self)
    if checks is None:
        self._authenticate_and_authorize_action(IAMRequest, resource)
        return
    for action, arn in checks:
        self._authenticate_and_authorize_action(_request_for(action), arn)


_request_classes: dict[str, type] = {}


def _request_for(action: str) -> type:
    """An IAMRequest that checks `action` instead of the operation's own name."""
    if action not in _request_classes:
        class Checked(IAMRequest):
            def __init__(self, **kwargs):
                kwargs["action"] = action
                super().__init__(**kwargs)
        _request_classes[action] = Checked
    return _request_classes[action]


def _checks(handler) -> list[tuple[str, str]] | None:
    service = getattr(handler, "service_name", None)
    action = handler._get_action()
    if service == "dynamodb":
        return _dynamodb_checks(action, getattr(handler, "params", None) or
                                json.loads(handler.body or "{}"))
    if service == "ses" and action in ("SendRawEmail", "SendEmail"):
        # AWS authorises a send on the identity and on the configuration set it names.
        checks = [(action, _ses_identity(handler))]
        configuration_set = _first(handler.querystring.get("ConfigurationSetName"))
        if configuration_set:
            checks.append((action, f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT}:"
                                   f"configuration-set/{configuration_set}"))
        return checks
    if service == "ssm" and action in ("GetParameter", "GetParameters"):
        params = json.loads(handler.body or "{}")
        names = params.get("Names") or [params.get("Name", "")]
        return [(action, _ssm_arn(name)) for name in names]
    if service == "secretsmanager" and action == "GetSecretValue":
        secret = json.loads(handler.body or "{}").get("SecretId", "")
        arn = secret if secret.startswith("arn:") else \
            f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:{secret}-*"
        return [(action, arn)]
    return None


def _table_arn(table: str, index: str | None = None) -> str:
    arn = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


def _dynamodb_checks(action: str, params: dict) -> list[tuple[str, str]]:
    if action in ("TransactWriteItems", "TransactGetItems"):
        checks = []
        for item in params["TransactItems"]:
            (kind, body), = item.items()
            checks.append((TRANSACT_ACTIONS[kind], _table_arn(body["TableName"])))
        return checks
    if action in ("BatchWriteItem", "BatchGetItem"):
        return [(action, _table_arn(table)) for table in params["RequestItems"]]
    return [(action, _table_arn(params["TableName"], params.get("IndexName")))]


def _ses_identity(handler) -> str:
    """The identity AWS authorises a send against: the sender's domain."""
    source = _first(handler.querystring.get("Source"))
    if not source:
        raw = base64.b64decode(_first(handler.querystring.get("RawMessage.Data")))
        source = message_from_bytes(raw)["From"]
    domain = parseaddr(source)[1].rpartition("@")[2]
    return f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT}:identity/{domain}"


def _ssm_arn(name: str) -> str:
    return f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter/{name.lstrip('/')}"


def _first(value):
    return value[0] if isinstance(value, list) else value
