"""Assignment from a list: the agents on the ticket's product's board and the teams of
portal.yml that serve the product; any other name is refused naming the field, and
changes nothing; the assignee is e-mailed (a queued mail, in their language)."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest

from loket.config import ConfigError, load_portal_config
from loket.domain.accounts import Role
from loket.domain.errors import ValidationFailed
from loket.services.accounts import invite
from loket.services.assignment import assign_from_list, assignees
from loket.services.organizations import create_organization
from loket.services.passwords import hash_password
from loket.services.submission import submit_ticket
from tests.api.conftest import VALID
from tests.desk.conftest import AGENT, ANN, PASSWORD, PAYROLL_AGENT, sign_in_as
from tests.paths import SITE_CONFIG


@pytest.fixture
def agent(desk_services, client):
    return sign_in_as(desk_services, client, AGENT)


def submit(services, product="planner"):
    receipt = submit_ticket(services, {**VALID, "email": ANN, "product": product},
                            client_address="test:assign")
    return receipt.ticket.number


def test_the_list_holds_the_products_agents_and_teams_only(desk_services):
    planner = [a.value for a in assignees(desk_services, "planner")]
    payroll = [a.value for a in assignees(desk_services, "payroll")]
    assert AGENT in planner and "planner-second-line" in planner
    assert PAYROLL_AGENT not in planner and "payroll-specialists" not in planner
    assert PAYROLL_AGENT in payroll and "payroll-specialists" in payroll
    assert ANN not in planner  # a customer is no assignee


def test_the_list_reads_the_agents_only_never_every_account(desk_services, monkeypatch):
    """One indexed query of the vendor's own accounts: the customers are never read."""
    def every_account():
        raise AssertionError("assignees() read every account")

    monkeypatch.setattr(desk_services.store, "list_accounts", every_account)
    assert AGENT in [a.value for a in assignees(desk_services, "planner")]


def test_the_list_is_the_same_on_both_stores(services, store):
    """The board's active agents, from store.list_agents on SQLite and DynamoDB (moto):
    no customer of an organization, no agent of another board, no invited agent who
    has not set a password yet."""
    services.store = store
    create_organization(services, "acme", "Acme B.V.", products=["planner"])
    invite(services, ANN, organization="acme", products=["planner"])
    for email in (AGENT, PAYROLL_AGENT, "invited@nordwind.example"):
        invite(services, email, organization=None,
               products=["payroll"] if email == PAYROLL_AGENT else ["planner"], role=Role.AGENT)
    for email in (ANN, AGENT, PAYROLL_AGENT):
        account = store.get_account(email)
        store.save_account(replace(account, password_hash=hash_password(services, PASSWORD)))
    assert [a.value for a in assignees(services, "planner") if "@" in a.value] == [AGENT]


def test_the_desk_offers_the_list_and_assigns_a_team(desk_services, client, agent, outbox):
    number = submit(desk_services)
    html = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    values = re.findall(r'<option value="([^"]*)"',
                        re.search(r'<select id="loket-desk-assignee".*?</select>', html,
                                  re.S).group(0))
    assert AGENT in values and "planner-second-line" in values
    assert "payroll-specialists" not in values
    answer = client.post(f"/desk/tickets/{number}/assign",
                         data={"csrf_token": agent, "assignee": "planner-second-line"})
    assert answer.status_code == 303
    assert desk_services.store.get_ticket(number).assignee == "planner-second-line"
    [mail] = [m for m in outbox.messages() if m["To"] == "planner-second-line@nordwind.example"]
    # (Compared word by word: the outbox's reader keeps a folded header's line break.)
    assert " ".join(mail["Subject"].split()) == (f"[#{number}] Assigned to Planner second line (team) - "
                               "Export to Excel fails")
    text = mail.get_body(("plain",)).get_content()
    assert f"{AGENT} assigned ticket {number}" in text
    assert f"/desk/tickets/{number}" in text


@pytest.mark.parametrize("name", ["Team A", "payroll-specialists", PAYROLL_AGENT, ANN, ""])
def test_an_unknown_name_is_refused_and_changes_nothing(desk_services, client, agent, name):
    number = submit(desk_services)
    before = desk_services.store.get_ticket(number)
    answer = client.post(f"/desk/tickets/{number}/assign",
                         data={"csrf_token": agent, "assignee": name})
    assert answer.status_code == 422
    assert "is not an agent or team of this product" in answer.get_data(as_text=True)
    assert desk_services.store.get_ticket(number).version == before.version


def test_the_agent_is_mailed_unless_they_took_it_themselves(desk_services):
    number = submit(desk_services, "payroll")
    assign_from_list(desk_services, number, PAYROLL_AGENT, by=PAYROLL_AGENT)
    assert desk_services.store.list_mail(pending=True) == [] or all(
        m.kind != "assignment" for m in desk_services.store.list_mail(pending=True))
    other = submit(desk_services, "payroll")
    assign_from_list(desk_services, other, PAYROLL_AGENT, by="lead@nordwind.example")
    queued = [m for m in desk_services.store.list_mail(pending=True) if m.kind == "assignment"]
    assert [(m.to, m.ticket) for m in queued] == [(PAYROLL_AGENT, other)]
    with pytest.raises(ValidationFailed) as exc:
        assign_from_list(desk_services, other, "nobody", by=PAYROLL_AGENT)
    assert exc.value.errors[0].field == "assignee"


def test_teams_are_validated_with_their_line(tmp_path):
    config_dir = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, config_dir)
    portal = config_dir / "portal.yml"
    portal.write_text(portal.read_text().replace("products: [payroll]", "products: [payrol]"))
    with pytest.raises(ConfigError) as exc:
        load_portal_config(config_dir)
    assert "teams.1.products.0: 'payrol' is not a listed product" in str(exc.value)
    assert str(exc.value).startswith(f"{portal}: line ")
