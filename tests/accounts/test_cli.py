"""`loket products|orgs|accounts|rights`: each prints what it did and fails with a clear
message (exit code 1) on bad input."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from loket.cli import main
from tests.paths import SITE_CONFIG


@pytest.fixture
def run(tmp_path, monkeypatch):
    config = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, config)
    for name, value in {"LOKET_CONFIG_DIR": str(config),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    def invoke(*args, ok=True):
        result = runner.invoke(main, list(args))
        assert (result.exit_code == 0) is ok, result.output
        return result.output

    invoke.config = config
    invoke.outbox = tmp_path / "outbox"
    return invoke


def test_organizations_accounts_and_rights_from_the_command_line(run):
    assert "created organization acme (Acme B.V.); products: planner; colleagues see: own" in run(
        "orgs", "create", "acme", "Acme B.V.", "--product", "planner")
    out = run("accounts", "invite", "Ann@Acme.example", "--org", "acme", "--product", "planner",
              "--support-contact", "--language", "nl")
    assert "invited ann@acme.example (customer, organization acme; products: planner)" in out
    assert "/portal/invitations/" in out
    assert len(list(run.outbox.glob("*.eml"))) == 1
    assert "granted payroll for organization acme; its products: payroll, planner" in run(
        "rights", "grant", "acme", "payroll")
    assert "granted payroll for account ann@acme.example" in run(
        "rights", "grant", "ann@acme.example", "payroll")
    out = run("accounts", "list")
    assert "ann@acme.example" in out and "rights: payroll, planner" in out and "invited" in out
    assert "1 account" in out
    assert "revoked payroll for organization acme" in run("rights", "revoke", "acme", "payroll")
    assert "rights: planner\t" in run("accounts", "list", "--org", "acme")
    assert "plan 10 tickets a year, beyond that refused; submitting: support contacts only" in run(
        "orgs", "plan", "acme", "--tickets", "10", "--period", "year", "--over", "refuse",
        "--contacts-only")
    assert "colleagues see organization tickets" in run("orgs", "visibility", "acme", "organization")
    out = run("orgs", "list")
    assert "acme\tAcme B.V." in out and "used 2" in out


def test_an_agent_is_invited_for_the_products_of_their_board(run):
    out = run("accounts", "invite", "desk@nordwind.example", "--agent", "--product", "planner")
    assert "invited desk@nordwind.example (agent; products: planner)" in out


@pytest.mark.parametrize("args, message", [
    (("orgs", "create", "Acme", "x"), "id: must be lowercase letters"),
    (("orgs", "create", "beta", "Beta", "--product", "nope"), "unknown product nope"),
    (("orgs", "plan", "nobody", "--tickets", "3"), "no organization 'nobody'"),
    (("orgs", "plan", "acme"), "give --tickets N or --unlimited"),
    (("accounts", "invite", "not-an-address", "--org", "acme"), "email: is not a valid e-mail address"),
    (("accounts", "invite", "bob@acme.example", "--org", "nobody"), "no organization 'nobody'"),
    (("accounts", "invite", "bob@acme.example", "--org", "acme", "--product", "payroll"),
     "organization 'acme' has no rights to payroll; grant them to the organization first"),
    (("accounts", "invite", "bob@acme.example"), "organization: is required"),
    (("accounts", "list", "--org", "nobody"), "no organization 'nobody'"),
    (("rights", "grant", "nobody@acme.example", "planner"), "no account 'nobody@acme.example'"),
    (("rights", "grant", "acme", "nope"), "unknown product nope"),
    (("orgs", "create", "acme", "Again"), "exists already: acme"),
])
def test_bad_input_fails_with_a_clear_message(run, args, message):
    run("orgs", "create", "acme", "Acme B.V.", "--product", "planner")
    out = run(*args, ok=False)
    assert message in out


def test_products_are_added_to_the_configuration(run):
    out = run("products", "add", "reports", "--name-en", "Nordwind Reports", "--name-nl",
              "Nordwind Rapporten", "--review-board", "reports@nordwind.example")
    assert "added product reports" in out and "rebuild the site" in out
    assert "reports\tNordwind Reports / Nordwind Rapporten" in run("products", "list")
    assert "organization acme" in run("orgs", "create", "acme", "Acme", "--product", "reports")
    before = (run.config / "portal.yml").read_text()
    assert "exists already" in run("products", "add", "planner", "--name-en", "x",
                                   "--name-nl", "y", ok=False)
    out = run("products", "add", "Bad Id", "--name-en", "x", "--name-nl", "y", ok=False)
    assert "products.3.id" in out
    assert (run.config / "portal.yml").read_text() == before
