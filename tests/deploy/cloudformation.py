"""The packaged CloudFormation template, read as CloudFormation would deploy it.

`Stack` resolves the intrinsic functions the template uses (Ref, Fn::GetAtt, Fn::Sub,
Fn::Join, Fn::Select, Fn::Split, Fn::If on the stack's own conditions) to concrete
names and ARNs in moto's account and region, so a role's policy can be put into moto's
IAM exactly as it stands in the template. A reference it cannot resolve is an error,
never a guess: a policy the tests do not understand must fail them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cached_property
from pathlib import Path
from typing import Any

from tests.paths import ROOT

TEMPLATE = ROOT / ".serverless" / "cloudformation-template-update-stack.json"
ACCOUNT = "123456789012"  # moto's default account
REGION = "eu-west-1"
PARTITION = "aws"

# Where a resource's name comes from when the template leaves it to CloudFormation.
NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::SES::ReceiptRuleSet": "RuleSetName",
}


def clean_env() -> dict[str, str]:
    """The caller's environment with no AWS settings (and no outer make's flags)."""
    drop = ("AWS_", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def package() -> str:
    """`make -f deploy.mk package`, offline; returns its output (fails the caller)."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-f", "deploy.mk", "package"],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise AssertionError(f"make -f deploy.mk package failed:\n{output[-6000:]}")
    return output


def service_copy(directory: Path) -> Path:
    """A folder for `osls package` runs of its own: a copy of serverless.yml (as it is
    now) and links to what it reads. osls deletes its service folder's .serverless/
    before packaging, so it never runs in ROOT here (other tests read that one)."""
    service = directory / "service"
    service.mkdir(parents=True)
    shutil.copy2(ROOT / "serverless.yml", service / "serverless.yml")
    for name in ("package.json", "node_modules", "site_config", "functions", "build"):
        (service / name).symlink_to(ROOT / name)
    return service


def package_with_params(service: Path, out: Path, params: dict[str, str],
                        stage: str = "dev") -> Path:
    """`osls package` of `service` (service_copy) with `--param`s into `out`; returns
    the update template's path. Needs what `package()` made first (node_modules, the
    zip, the headers file)."""
    args = [f"--param={name}={value}" for name, value in params.items()]
    env = {**clean_env(), "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "npm_config_update_notifier": "false"}
    result = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "osls"), "package", "--stage", stage,
         "--package", str(out), *args],
        cwd=service, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"osls package {args} failed:\n{(result.stdout + result.stderr)[-6000:]}")
    return out / TEMPLATE.name


def load_template(path: Path = TEMPLATE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class Unresolvable(AssertionError):
    pass


class Stack:
    """One deployment of the template in moto's account: physical names and ARNs."""

    def __init__(self, template: dict, *, stack_name: str = "loket-test",
                 parameters: dict[str, str] | None = None):
        self.template = template
        self.stack_name = stack_name
        self.parameters = {name: spec.get("Default", "") for name, spec
                           in template.get("Parameters", {}).items()}
        self.parameters.update(parameters or {})

    @property
    def resources(self) -> dict[str, dict]:
        return self.template["Resources"]

    def of_type(self, *types: str) -> dict[str, dict]:
        return {k: v for k, v in self.resources.items() if v["Type"] in types}

    # -- names ---------------------------------------------------------------------

    def name(self, logical_id: str) -> str:
        """The resource's physical name: its name property, else one CloudFormation-like."""
        resource = self.resources[logical_id]
        prop = NAME_PROPERTY.get(resource["Type"])
        given = resource.get("Properties", {}).get(prop) if prop else None
        if given is not None:
            return self.resolve(given)
        return f"{self.stack_name}-{logical_id}-abc123".lower()

    def arn(self, logical_id: str) -> str:
        kind, name = self.resources[logical_id]["Type"], self.name(logical_id)
        where = f"{REGION}:{ACCOUNT}"
        arns = {
            "AWS::DynamoDB::Table": f"arn:{PARTITION}:dynamodb:{where}:table/{name}",
            "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{name}",
            "AWS::Logs::LogGroup": f"arn:{PARTITION}:logs:{where}:log-group:{name}:*",
            "AWS::SQS::Queue": f"arn:{PARTITION}:sqs:{where}:{name}",
            "AWS::SNS::Topic": f"arn:{PARTITION}:sns:{where}:{name}",
            "AWS::IAM::Role": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}",
            "AWS::Lambda::Function": f"arn:{PARTITION}:lambda:{where}:function:{name}",
        }
        if kind not in arns:
            raise Unresolvable(f"no ARN known for {logical_id} ({kind})")
        return arns[kind]

    def ref(self, name: str) -> str:
        pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": PARTITION,
                  "AWS::StackName": self.stack_name, "AWS::URLSuffix": "amazonaws.com",
                  "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:"
                                  f"stack/{self.stack_name}/0"}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name not in self.resources:
            raise Unresolvable(f"Ref to unknown {name}")
        kind = self.resources[name]["Type"]
        # What Ref returns per type: an ARN for topics, a URL for queues, else the name.
        if kind == "AWS::SNS::Topic":
            return self.arn(name)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.name(name)}"
        return self.name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute == "QueueName":
            return self.name(logical_id)
        if attribute == "DomainName" and logical_id in self.of_type(
                "AWS::CloudFront::Distribution"):
            return "d111111abcdef8.cloudfront.net"
        raise Unresolvable(f"Fn::GetAtt {logical_id}.{attribute}")

    # -- intrinsic functions -------------------------------------------------------------

    @cached_property
    def conditions(self) -> dict[str, bool]:
        found: dict[str, bool] = {}
        for name, body in self.template.get("Conditions", {}).items():
            found[name] = bool(self._condition(body))
        return found

    def _condition(self, body: Any) -> Any:
        if isinstance(body, dict) and len(body) == 1:
            (fn, args), = body.items()
            if fn == "Fn::Equals":
                left, right = (self.resolve(a) for a in args)
                return left == right
            if fn == "Fn::Not":
                return not self._condition(args[0])
            if fn == "Fn::And":
                return all(self._condition(a) for a in args)
            if fn == "Fn::Or":
                return any(self._condition(a) for a in args)
            if fn == "Condition":
                return self._condition(self.template["Conditions"][args])
        return self.resolve(body)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (fn, args), = value.items()
            handler = _FUNCTIONS.get(fn)
            if handler is not None:
                return handler(self, args)
            if fn.startswith("Fn::"):
                raise Unresolvable(f"{fn} is not supported here")
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, args: Any) -> str:
        text, variables = (args, {}) if isinstance(args, str) else args
        variables = {k: self.resolve(v) for k, v in variables.items()}
        out, rest = [], text
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, _, rest = after.partition("}")
            out.append(before)
            if name.startswith("!"):
                out.append("${" + name[1:] + "}")
            elif name in variables:
                out.append(str(variables[name]))
            elif "." in name:
                out.append(self.get_att(*name.split(".", 1)))
            else:
                out.append(self.ref(name))
        return "".join(out) + rest

    def _if(self, args: Any) -> Any:
        name, yes, no = args
        return self.resolve(yes if self.conditions[name] else no)


_FUNCTIONS = {
    "Ref": lambda stack, name: stack.ref(name),
    "Fn::GetAtt": lambda stack, args: stack.get_att(*(args.split(".", 1) if isinstance(args, str)
                                                      else args)),
    "Fn::Sub": Stack._sub,
    "Fn::Join": lambda stack, args: args[0].join(str(x) for x in stack.resolve(args[1])),
    "Fn::Select": lambda stack, args: stack.resolve(args[1])[int(stack.resolve(args[0]))],
    "Fn::Split": lambda stack, args: stack.resolve(args[1]).split(args[0]),
    "Fn::If": Stack._if,
}
