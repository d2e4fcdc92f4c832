"""The store contract for what agents keep on their account (#12): the TOTP
authenticator with its hashed recovery codes, the choice of desk e-mails, and the
short-lived link between password and second code. Run on SQLite and DynamoDB (moto)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from loket.domain.accounts import (Account, AgentNotices, OneTimeToken, Role, SecondFactor,
                                   TokenPurpose)
from tests.contract.test_store_contract import T0

AGENT = Account(email="desk@vendor.example", role=Role.AGENT, created_at=T0,
                products=frozenset({"planner"}), first_name="Dirk", password_hash="h")


def test_an_agents_authenticator_and_recovery_codes_read_back(store):
    store.create_account(AGENT)
    assert store.get_account(AGENT.email).second_factor is None
    factor = SecondFactor(secret="JBSWY3DPEHPK3PXP", confirmed=True,
                          recovery=(("abcd", "$argon2id$one"), ("efgh", "$argon2id$two")))
    store.save_account(replace(AGENT, second_factor=factor))
    assert store.get_account(AGENT.email).second_factor == factor
    used = replace(factor, recovery=factor.recovery[1:])
    store.save_account(replace(AGENT, second_factor=used))
    assert store.get_account(AGENT.email).second_factor == used
    store.save_account(replace(AGENT, second_factor=None))
    assert store.get_account(AGENT.email).second_factor is None


def test_an_agents_choice_of_e_mails_reads_back(store):
    store.create_account(AGENT)
    assert store.get_account(AGENT.email).agent_notices == AgentNotices()
    chosen = AgentNotices(new_tickets=True, customer_replies=False, assignments=False,
                          sla_warnings=True)
    store.save_account(replace(AGENT, agent_notices=chosen))
    assert store.get_account(AGENT.email).agent_notices == chosen


def test_a_pending_second_step_is_a_one_time_link_of_its_own_purpose(store):
    pending = OneTimeToken(hash="p1", purpose=TokenPurpose.SECOND_FACTOR, email=AGENT.email,
                           created_at=T0, expires_at=T0 + timedelta(minutes=10))
    store.create_token(pending)
    assert store.get_token("p1", TokenPurpose.PASSWORD_RESET, T0) is None
    assert store.get_token("p1", TokenPurpose.SECOND_FACTOR, T0) == pending
    assert store.get_token("p1", TokenPurpose.SECOND_FACTOR, T0 + timedelta(minutes=10)) is None
    assert store.take_token("p1", TokenPurpose.SECOND_FACTOR, T0) == pending
    assert store.take_token("p1", TokenPurpose.SECOND_FACTOR, T0) is None


def test_a_code_is_taken_once_by_a_counter_with_a_limit_of_one(store):
    # services/totp.py marks a used TOTP step and a used recovery code this way.
    assert store.add_to_counter("totp-used:desk@vendor.example:123", 1, at_most=1) == 1
    assert store.add_to_counter("totp-used:desk@vendor.example:123", 1, at_most=1) is None
    assert store.add_to_counter("totp-used:desk@vendor.example:124", 1, at_most=1) == 1


def test_the_agents_are_the_accounts_in_no_organization_by_address(store):
    from tests.contract.test_accounts_contract import ANN

    other = replace(AGENT, email="anna@vendor.example", products=frozenset({"payroll"}))
    for account in (AGENT, ANN, other, replace(ANN, email="bob@acme.example")):
        store.create_account(account)
    assert [a.email for a in store.list_agents()] == ["anna@vendor.example",
                                                      "desk@vendor.example"]
    assert store.list_agents()[1] == AGENT
