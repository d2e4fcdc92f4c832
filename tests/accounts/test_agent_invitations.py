"""An agent invites customers only into organizations and products of their own review
boards; an empty product list is no way around that."""

from __future__ import annotations

import pytest

from loket.domain.accounts import Role
from loket.domain.errors import Refused, ValidationFailed
from loket.services.accounts import invite
from loket.services.organizations import create_organization
from tests.accounts.conftest import AGENT, sign_in_as

NEWCOMER = "new@acme.example"


@pytest.fixture
def payroll_only(services, people):
    """An organization with payroll only: nothing of the agent's planner board."""
    return create_organization(services, "gamma", "Gamma Ltd", products=["payroll"])


def agent(services):
    return services.store.get_account(AGENT)


def test_an_agent_invites_a_customer_for_a_product_of_their_board(services, people):
    account, _ = invite(services, NEWCOMER, organization="acme", products=["planner"],
                        invited_by=agent(services))
    assert account.products == {"planner"} and account.organization == "acme"


@pytest.mark.parametrize("products", [[], ["payroll"], ["planner", "payroll"]])
def test_an_agent_may_not_invite_outside_their_boards(services, people, payroll_only,
                                                      products):
    with pytest.raises((Refused, ValidationFailed)):
        invite(services, "someone@gamma.example", organization="gamma", products=products,
               invited_by=agent(services))
    assert services.store.get_account("someone@gamma.example") is None


def test_an_empty_product_list_is_refused_naming_the_field(services, people):
    with pytest.raises(ValidationFailed) as caught:
        invite(services, NEWCOMER, organization="acme", products=[],
               invited_by=agent(services))
    assert [e.field for e in caught.value.errors] == ["products"]
    assert services.store.get_account(NEWCOMER) is None


def test_an_agent_invites_no_agents(services, people):
    with pytest.raises(Refused):
        invite(services, "new-agent@nordwind.example", organization=None,
               products=["planner"], role=Role.AGENT, invited_by=agent(services))


def test_an_agent_may_not_move_another_boards_pending_invitation(services, people,
                                                                 payroll_only):
    invite(services, "pending@gamma.example", organization="gamma", products=["payroll"])
    with pytest.raises(Refused):
        invite(services, "pending@gamma.example", organization="acme", products=["planner"],
               invited_by=agent(services))
    pending = services.store.get_account("pending@gamma.example")
    assert pending.organization == "gamma" and pending.products == {"payroll"}


def test_the_api_refuses_an_empty_product_list_and_foreign_organizations(
        services, client, people, payroll_only):
    token = sign_in_as(services, client, AGENT)

    def post(**body):
        return client.post("/api/invitations", json=body, headers={"X-CSRF-Token": token})

    empty = post(email="x@gamma.example", organization="gamma", products=[])
    assert empty.status_code == 422 and "products" in empty.get_data(as_text=True)
    missing = post(email="x@gamma.example", organization="gamma")
    assert missing.status_code == 422
    foreign = post(email="x@gamma.example", organization="gamma", products=["payroll"])
    assert foreign.status_code == 403
    assert services.store.get_account("x@gamma.example") is None
    assert post(email=NEWCOMER, organization="acme", products=["planner"]).status_code == 201
