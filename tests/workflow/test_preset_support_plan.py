"""Preset support-plan: tickets count against the organization's support plan, except
warranty tickets, and only authorized support contacts may submit
(presets/support-plan/accounts.yml); reminders while waiting on the customer, closed
after 10 working days without an answer, solved tickets closed after 5 working days
(presets/support-plan/workflow.yml)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from loket.domain.accounts import OverPlan, Role
from loket.domain.errors import Refused, SignInRequired
from loket.services.accounts import invite
from loket.services.organizations import create_organization
from loket.services.plans import mark_warranty, tickets_used
from loket.services.sessions import start_session, viewer_of
from loket.services.submission import submit_ticket
from tests.workflow.conftest import CUSTOMER, SUBMISSION

SUBJECT = "Export to Excel fails"
COLLEAGUE = "carl@example.com"   # at the same organization, not a support contact
AGENT = "piet@nordwind.example"


def sign_in(desk, email: str):
    """Make `email` active and return the Viewer a session of theirs stands for."""
    store = desk.services.store
    store.save_account(replace(store.get_account(email), password_hash="(set)"))
    secret, _ = start_session(desk.services, store.get_account(email))
    return viewer_of(desk.services, secret)


def set_up_acme(desk):
    """Acme on the preset's default plan: Ann a support contact, Carl not, and an agent."""
    create_organization(desk.services, "acme", "Acme B.V.", products=["planner"])
    invite(desk.services, CUSTOMER, organization="acme", products=["planner"],
           support_contact=True)
    invite(desk.services, COLLEAGUE, organization="acme", products=["planner"])
    invite(desk.services, AGENT, organization=None, products=["planner"], role=Role.AGENT)
    desk.mails()  # the invitations
    return sign_in(desk, CUSTOMER), sign_in(desk, COLLEAGUE), sign_in(desk, AGENT)


@pytest.fixture
def desk(make_desk):
    return make_desk("support-plan", "2026-12-23 09:00")


def test_the_preset_asks_for_accounts_and_a_contacts_only_plan(desk):
    accounts = desk.services.config.accounts
    assert accounts.required_to_submit
    plan = accounts.default_plan.build()
    assert (plan.tickets, plan.period, plan.over_limit, plan.contacts_only) == (
        10, "month", OverPlan.ALLOW, True)


@pytest.mark.parametrize("over_limit", [OverPlan.ALLOW, OverPlan.REFUSE])
def test_the_quota_through_a_month_and_into_the_next(make_desk, over_limit):
    desk = make_desk("support-plan", "2026-11-02 09:00")
    config = desk.services.config
    desk.services.config = replace(config, accounts=config.accounts.model_copy(update={
        "default_plan": config.accounts.default_plan.model_copy(
            update={"over_limit": over_limit})}))
    ann, carl, agent = set_up_acme(desk)
    used = lambda: tickets_used(desk.services, "acme", "2026-11")  # noqa: E731

    # An authorized contact submits within the plan: the ticket is the organization's.
    first = submit_ticket(desk.services, SUBMISSION, client_address="203.0.113.7", viewer=ann)
    assert first.created and first.notice is None
    assert first.ticket.organization == "acme" and first.ticket.email == CUSTOMER
    assert used() == 1

    # A colleague who is no support contact is refused, with the reason; nothing is made.
    with pytest.raises(Refused) as refused:
        desk.submit(viewer=carl)
    assert refused.value.kind == "support-contacts-only"
    assert "Only your organization's support contacts may submit tickets" in str(refused.value)
    # Without an account there is no way around the plan.
    with pytest.raises(SignInRequired):
        desk.submit()
    assert used() == 1

    # Up to the plan's last included ticket, no notice.
    desk.at("2026-11-10 10:00")
    numbers = [first.ticket.number] + [desk.submit(viewer=ann) for _ in range(8)]
    last = submit_ticket(desk.services, SUBMISSION, client_address="203.0.113.7", viewer=ann)
    assert last.created and last.notice is None and used() == 10

    # One beyond it: accepted with a notice, or refused, as configured.
    desk.at("2026-11-17 10:00")
    if over_limit is OverPlan.ALLOW:
        beyond = submit_ticket(desk.services, SUBMISSION, client_address="203.0.113.7",
                               viewer=ann)
        assert beyond.created and "this is ticket 11, beyond the plan" in beyond.notice
        assert used() == 11
        given_back = [numbers[0], beyond.ticket.number]
    else:
        with pytest.raises(Refused) as refused:
            submit_ticket(desk.services, SUBMISSION, client_address="203.0.113.7", viewer=ann)
        assert refused.value.kind == "plan-exhausted"
        assert "includes 10 tickets a month, and all of them are used" in str(refused.value)
        assert used() == 10
        given_back = [numbers[0]]

    # An agent marks tickets as warranty: their count goes back, once each.
    desk.at("2026-11-18 11:00")
    for number in given_back:
        assert mark_warranty(desk.services, agent, number, True).warranty
    mark_warranty(desk.services, agent, given_back[0], True)  # again: no second give-back
    assert used() == 9
    with pytest.raises(Refused):
        mark_warranty(desk.services, ann, numbers[1], True)   # customers cannot
    fits = submit_ticket(desk.services, SUBMISSION, client_address="203.0.113.7", viewer=ann)
    assert fits.created and fits.notice is None and used() == 10

    # A new month: the count starts again.
    desk.at("2026-12-01 09:00")
    fresh = submit_ticket(desk.services, SUBMISSION, client_address="203.0.113.7", viewer=ann)
    assert fresh.created and fresh.notice is None
    assert tickets_used(desk.services, "acme", "2026-12") == 1 and used() == 10
    # Taking back a November ticket's warranty counts it in November again.
    mark_warranty(desk.services, agent, numbers[0], False)
    assert used() == 11 and tickets_used(desk.services, "acme", "2026-12") == 1


def test_waiting_over_christmas_and_new_year(desk):
    ann, _, _ = set_up_acme(desk)
    number = desk.submit(viewer=ann)
    assert desk.status(number) == "new"
    desk.at("2026-12-23 10:00").agent_replies(number, "On it.")
    assert desk.status(number) == "open"
    desk.at("2026-12-24 10:00").agent_replies(number, status="waiting-on-customer")
    # 3 working days: (25 Christmas, the weekend) 28, 29, 30 December.
    assert desk.due(number) == datetime(2026, 12, 30, 10, 0)
    desk.mails()

    desk.at("2026-12-30 10:00").sweep()
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Reminder: we are waiting for your "
                                       f"answer - {SUBJECT}")]
    # 10 working days from 24 December: 28-31 December, (1 January), 4-8 and 11 January.
    assert desk.due(number) == datetime(2027, 1, 11, 10, 0)

    desk.at("2027-01-08 17:00").sweep()
    assert desk.status(number) == "waiting-on-customer"
    desk.at("2027-01-11 10:00").sweep()
    assert desk.status(number) == "closed"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Closed - {SUBJECT}")]


def test_solved_is_closed_after_5_working_days_around_kings_day(desk):
    ann, _, _ = set_up_acme(desk)
    number = desk.submit(viewer=ann)
    desk.at("2027-04-23 16:00").set_status(number, "solved")
    # 26 April, (27 April King's Day), 28, 29, 30 April, 3 May.
    assert desk.due(number) == datetime(2027, 5, 3, 16, 0)
    desk.mails()
    desk.at("2027-05-03 16:00").sweep()
    assert desk.status(number) == "closed"
    assert desk.mails() == [(CUSTOMER, f"[#{number}] Status: Closed - {SUBJECT}")]
