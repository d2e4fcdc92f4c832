"""The settings the stack gives its functions, the ones the handlers' README promises
and the ones settings.py reads are the same names; the support address is set once.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

import pytest
import yaml

from tests.paths import ROOT, SITE_CONFIG

pytestmark = pytest.mark.slow

HANDLERS_README = ROOT / "functions" / "loket" / "handlers" / "README.md"
# Set by Lambda itself, not by the template.
LAMBDA_OWN = {"AWS_REGION"}


def setting_names() -> set[str]:
    from loket.settings import Settings

    return {f"LOKET_{name.upper()}" for name in Settings.model_fields}


def template_environment(stack) -> dict[str, set[str]]:
    return {name: set(f["Properties"].get("Environment", {}).get("Variables", {}))
            for name, f in stack.of_type("AWS::Lambda::Function").items()}


def readme_environment() -> set[str]:
    """The names in the README's 'Environment' item (the functions' environment)."""
    text = HANDLERS_README.read_text(encoding="utf-8")
    found = re.search(r"^- Environment[^\n]*\n((?:  [^\n]*\n)+)", text, re.MULTILINE)
    assert found, "handlers/README.md has no '- Environment' item"
    return set(re.findall(r"`(LOKET_[A-Z0-9_]+)", found.group(1)))


def test_every_variable_of_the_stack_is_a_setting(stack):
    known = setting_names()
    for function, names in template_environment(stack).items():
        loket = {n for n in names if n.startswith("LOKET_")}
        assert loket <= known, f"{function}: {sorted(loket - known)} are not in settings.py"
        assert names - loket <= LAMBDA_OWN | {n for n in names if not n.startswith("LOKET_")}


def test_the_handlers_readme_names_the_stacks_environment(stack):
    in_readme = readme_environment()
    assert in_readme <= setting_names(), sorted(in_readme - setting_names())
    in_stack = set().union(*template_environment(stack).values())
    assert {n for n in in_stack if n.startswith("LOKET_")} == in_readme, (
        "functions/loket/handlers/README.md and serverless.yml's environment differ")


def test_every_setting_mentioned_in_the_handlers_readme_exists():
    text = HANDLERS_README.read_text(encoding="utf-8")
    named = set(re.findall(r"\bLOKET_[A-Z0-9_]+", text))
    assert named <= setting_names(), sorted(named - setting_names())


def support_address() -> str:
    portal = yaml.safe_load((SITE_CONFIG / "portal.yml").read_text(encoding="utf-8"))
    return portal["mail_in"]["address"]


def test_the_support_address_is_set_once(stack):
    address = support_address()
    domain = address.rpartition("@")[2]
    [rule] = stack.of_type("AWS::SES::ReceiptRule").values()
    assert rule["Properties"]["Rule"]["Recipients"] == [address]
    for function in stack.of_type("AWS::Lambda::Function"):
        env = stack.resolve(stack.resources[function]["Properties"]["Environment"]["Variables"])
        assert parseaddr(env["LOKET_MAIL_FROM"])[1] == address, function
    identities = {arn for name in stack.of_type("AWS::IAM::Role")
                  for document in stack.resolve([p["PolicyDocument"] for p in
                                                 stack.resources[name]["Properties"]["Policies"]])
                  for statement in document["Statement"]
                  if str(statement["Action"]).startswith(("ses:Send", "['ses:Send"))
                  for arn in (statement["Resource"] if isinstance(statement["Resource"], list)
                              else [statement["Resource"]])}
    # A send is authorised on the sender's identity (and on a configuration set, if any).
    identities = {arn for arn in identities if ":identity/" in arn}
    assert identities and all(arn.endswith(f":identity/{domain}") for arn in identities), identities
    serverless = (ROOT / "serverless.yml").read_text(encoding="utf-8")
    assert "mailDomain" not in serverless and address not in serverless
