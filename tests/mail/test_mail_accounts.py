"""Mail in and accounts: with accounts.required_to_submit, mail from an address without
an account makes no ticket; mail from an account's address submits as that account,
tied to its organization and counted against its plan as a web submission is. On both
stores."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.domain.accounts import OverPlan
from loket.services.accounts import invite
from loket.services.context import Services
from loket.services.mail_in import MailDecision, take_in_mail
from loket.services.organizations import create_organization, set_plan
from loket.services.plans import tickets_used
from loket.services.mail_dispatch import send_queued
from tests.mail.conftest import MAIL_FROM, make_mail
from tests.paths import SITE_CONFIG
from tests.workflow.conftest import MailBag

ANN = "ann@acme.example"     # support contact at Acme, planner
CARL = "carl@acme.example"   # at Acme, no support contact
PAYROLL_ONLY = "pia@acme.example"


@pytest.fixture
def mailbag():
    return MailBag()


def desk(store, mailbag, *, required: bool) -> Services:
    config = load_portal_config(SITE_CONFIG)
    config = replace(config, accounts=config.accounts.model_copy(
        update={"required_to_submit": required}))
    services = Services(config=config, store=store, mail=mailbag,
                        clock=FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)),
                        base_url="http://portal.test", mail_from=MAIL_FROM)
    create_organization(services, "acme", "Acme B.V.", products=["planner", "payroll"])
    set_plan(services, "acme", tickets=2, over_limit=OverPlan.REFUSE, contacts_only=True)
    invite(services, ANN, organization="acme", products=["planner", "payroll"],
           support_contact=True)
    invite(services, CARL, organization="acme", products=["planner"])
    invite(services, PAYROLL_ONLY, organization="acme", products=["payroll"],
           support_contact=True)
    send_queued(services)  # the invitations
    mailbag.sent.clear()
    return services


def used(services) -> int:
    return tickets_used(services, "acme", "2026-11")


def test_mail_from_an_address_without_an_account_is_refused(store, mailbag):
    services = desk(store, mailbag, required=True)
    decision = take_in_mail(services, make_mail(sender="Eve <eve@elsewhere.example>"))
    assert decision.action == "refused" and decision.ticket is None
    assert decision.reason == ("eve@elsewhere.example has no account, and only accounts may "
                               "submit tickets (accounts.required_to_submit)")
    assert services.store.get_ticket(10001) is None
    # Kept for the agents, and Eve is told why (services/refused_mail.py).
    assert services.store.get_refused(decision.refused_id).kind == "no-account"
    send_queued(services)
    [notice] = mailbag.sent
    assert notice["To"] == "eve@elsewhere.example" and "not taken in" in notice["Subject"]


def test_mail_from_an_account_is_its_organizations_and_counts_against_the_plan(store,
                                                                              mailbag):
    services = desk(store, mailbag, required=True)
    decision = take_in_mail(services, make_mail(sender="Ann <Ann@Acme.example>"))
    assert decision == MailDecision("new-ticket", 10001)
    ticket = services.store.get_ticket(10001)
    assert (ticket.email, ticket.organization, ticket.product) == (ANN, "acme", "planner")
    assert used(services) == 1
    send_queued(services)
    assert [m["To"] for m in mailbag.sent][:1] == [ANN]   # the receipt

    # The same mail delivered again: still one ticket, counted once.
    again = take_in_mail(services, make_mail(sender=ANN, message_id="<m2@client.example>"))
    assert again.action == "new-ticket" and used(services) == 2
    redelivered = make_mail(sender=ANN, message_id="<m2@client.example>")
    assert take_in_mail(services, redelivered).reason == "already taken in: a re-delivered mail"
    assert used(services) == 2

    # Beyond the plan, as the web form would be: refused, with the plan's reason.
    beyond = take_in_mail(services, make_mail(sender=ANN))
    assert beyond.action == "refused" and beyond.ticket is None
    assert "includes 2 tickets a month, and all of them are used" in beyond.reason
    assert "plan-exhausted" in beyond.reason
    assert services.store.get_ticket(10003) is None and used(services) == 2


def test_mail_from_a_colleague_who_is_no_support_contact_is_refused(store, mailbag):
    services = desk(store, mailbag, required=True)
    decision = take_in_mail(services, make_mail(sender=CARL))
    assert decision.action == "refused" and decision.ticket is None
    assert "Only your organization's support contacts may submit tickets" in decision.reason
    assert services.store.get_ticket(10001) is None and used(services) == 0


def test_an_account_gets_a_product_it_has_rights_to(store, mailbag):
    services = desk(store, mailbag, required=True)
    # The default product (planner) is not Pia's: her first product is used.
    assert take_in_mail(services, make_mail(sender=PAYROLL_ONLY)).action == "new-ticket"
    assert services.store.get_ticket(10001).product == "payroll"
    # A product she names but has no rights to is refused by the form.
    decision = take_in_mail(services, make_mail(sender=PAYROLL_ONLY,
                                                to="support+planner@nordwind.example"))
    assert decision.action == "refused" and "product" in decision.reason


def test_without_the_requirement_strangers_still_write_and_accounts_still_count(store,
                                                                               mailbag):
    services = desk(store, mailbag, required=False)
    assert take_in_mail(services, make_mail(sender="eve@elsewhere.example")).action == \
        "new-ticket"
    assert services.store.get_ticket(10001).organization is None
    assert take_in_mail(services, make_mail(sender=ANN)).action == "new-ticket"
    assert services.store.get_ticket(10002).organization == "acme" and used(services) == 1
    # A contacts-only plan holds for mail too.
    assert take_in_mail(services, make_mail(sender=CARL)).action == "refused"
