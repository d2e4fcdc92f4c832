"""The sweeper warns agents before a ticket breaches its SLA (#12): once per deadline,
`accounts.sla_warning_minutes` ahead, to the assignee or (unassigned) the board's
agents, as each chose in their settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from loket.domain.sla import SlaTarget
from loket.services.assignment import assign_from_list
from loket.services.sla_warnings import warn_before_breach
from loket.services.submission import submit_ticket
from loket.services.sweeper import sweep
from tests.api.conftest import VALID
from tests.desk.conftest import AGENT, ANN, PAYROLL_AGENT


def submit(services):
    return submit_ticket(services, {**VALID, "email": ANN, "product": "planner"},
                         client_address="test:sla").ticket


def warnings(outbox, to=AGENT):
    return [m for m in outbox.messages()
            if m["To"] == to and "SLA about to breach" in m["Subject"]]


def first_response_due(services, ticket):
    return services.config.workflow.sla_deadlines(ticket)[SlaTarget.FIRST_RESPONSE]


def test_the_boards_agents_are_warned_once_before_an_unassigned_ticket_breaches(
        desk_services, outbox, clock):
    services = desk_services
    ticket = submit(services)
    due = first_response_due(services, ticket)
    clock.set(due - timedelta(minutes=90))
    sweep(services)
    assert warnings(outbox) == []  # not yet within the hour
    clock.move(minutes=45)
    sweep(services)
    [warning] = warnings(outbox)
    text = warning.get_body(("plain",)).get_content()
    assert f"[#{ticket.number}]" in warning["Subject"] and "first response" in text
    assert "(in 45 minutes)" in text and f"/desk/tickets/{ticket.number}" in text
    assert warnings(outbox, PAYROLL_AGENT) == []  # not on the planner board
    clock.move(minutes=10)
    sweep(services)
    assert len(warnings(outbox)) == 1  # once per deadline


def test_the_assignee_alone_is_warned_and_may_turn_it_off(desk_services, outbox, clock):
    services = desk_services
    ticket = submit(services)
    assign_from_list(services, ticket.number, AGENT, by=PAYROLL_AGENT)
    other = submit(services)
    assign_from_list(services, other.number, AGENT, by=PAYROLL_AGENT)
    account = services.store.get_account(AGENT)
    services.store.save_account(replace(account, products=account.products | {"payroll"}))
    clock.set(first_response_due(services, ticket) - timedelta(minutes=30))
    assert warn_before_breach(services, clock.now()) == 2
    assert {int(m["Subject"].split("]")[0][2:]) for m in warnings(outbox)} == {
        ticket.number, other.number}
    third = submit(services)
    assign_from_list(services, third.number, AGENT, by=PAYROLL_AGENT)
    account = services.store.get_account(AGENT)
    services.store.save_account(replace(account, agent_notices=replace(
        account.agent_notices, sla_warnings=False)))
    clock.set(first_response_due(services, third) - timedelta(minutes=30))
    assert warn_before_breach(services, clock.now()) == 0


def test_no_warnings_when_turned_off_or_past_the_deadline(desk_services, outbox, clock):
    services = desk_services
    ticket = submit(services)
    due = first_response_due(services, ticket)
    services.config.accounts.sla_warning_minutes = 0
    clock.set(due - timedelta(minutes=1))
    assert warn_before_breach(services, clock.now()) == 0
    services.config.accounts.sla_warning_minutes = 60
    clock.move(minutes=2)  # breached meanwhile: the breach is news, not a warning
    assert warn_before_breach(services, clock.now()) == 0


def test_a_failing_warning_never_fails_the_sweep(desk_services, outbox, clock, monkeypatch):
    services = desk_services
    ticket = submit(services)
    clock.set(first_response_due(services, ticket) - timedelta(minutes=30))

    def broken(*args, **kwargs):
        raise RuntimeError("the store said no")

    monkeypatch.setattr("loket.services.sla_warnings.warn_before_breach", broken)
    report = sweep(services)
    assert report.due == 0 and warnings(outbox) == []
    monkeypatch.undo()
    sweep(services)
    assert len(warnings(outbox)) == 1  # the next sweep warns
