"""Where the workflow puts a ticket in the agents' queues (domain/desk_queues.py), kept
up to date at every step like due_at: its desk category and its work order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from loket.domain.desk_queues import order_moment, queue_order, sla_due
from loket.domain.tickets import AuthorRole, NewTicket, StatusCategory, Ticket
from loket.domain.workflow import Event
from tests.workflow.conftest import local, preset_config

NOW = local("2026-11-26 10:30")  # a Thursday, working hours


def started(preset: str, **fields) -> tuple[Ticket, object]:
    workflow = preset_config(preset).workflow
    new = workflow.start(NewTicket(
        email="ann@example.com", product="planner", type="problem-report",
        subject="Export fails", description="...", fields=fields, language="en",
        status=workflow.initial_status, created_at=NOW))
    return Ticket.from_new(10001, new), workflow


def test_a_ticket_nobody_answered_is_new_even_where_no_status_is_of_category_new():
    ticket, workflow = started("reminder-and-close")
    assert workflow.status(ticket.status).category is StatusCategory.OPEN
    assert ticket.queue_category == "new"
    answered = workflow.agent_replied(ticket, NOW + timedelta(hours=1)).ticket
    assert answered.queue_category != "new"
    noted = workflow.agent_replied(ticket, NOW + timedelta(hours=1), public=False).ticket
    assert noted.queue_category == "new"  # an internal note answers nobody


def test_a_status_of_category_new_or_pending_gives_its_category():
    ticket, workflow = started("application-management")
    assert ticket.queue_category == "new"
    waiting = workflow.set_status(ticket, "waiting-on-customer", NOW, by=AuthorRole.AGENT).ticket
    assert waiting.queue_category == "pending"
    solved = workflow.set_status(waiting, "solved", NOW, by=AuthorRole.AGENT).ticket
    assert solved.queue_category == "solved"


def test_work_order_is_the_running_clocks_next_target_then_rank_then_age():
    ticket, workflow = started("application-management")
    first_response = min(workflow.sla_deadlines(ticket).values())
    assert sla_due(ticket, workflow.sla, workflow.calendar) == first_response
    assert ticket.queue_order.split("|")[0] == order_moment(first_response)
    assert ticket.queue_order.split("|")[2] == order_moment(NOW)
    urgent = workflow.set_priority(ticket, "high", "high", NOW).ticket
    assert urgent.queue_order < ticket.queue_order  # an earlier target
    assert urgent.queue_order.split("|")[1] == "00"  # p1, the policy's first priority
    same_moment = replace(ticket, priority="p1")
    assert queue_order(same_moment, StatusCategory.NEW, workflow.sla,
                       workflow.calendar).split("|")[1] == "00"


def test_a_breached_target_keeps_its_moment_and_sorts_first():
    ticket, workflow = started("application-management")
    later = workflow.fire_due(ticket, NOW + timedelta(days=3)).ticket
    assert "first-response" in later.sla_breaches
    fresh, _ = started("application-management")
    assert later.queue_order.split("|")[0] == ticket.queue_order.split("|")[0]
    assert later.queue_order <= fresh.queue_order


def test_a_clock_that_stands_still_sorts_after_every_running_one():
    ticket, workflow = started("application-management")
    waiting = workflow.set_status(ticket, "waiting-on-customer", NOW, by=AuthorRole.AGENT).ticket
    assert waiting.queue_order.startswith("~|")
    assert waiting.queue_order > ticket.queue_order
    reopened = workflow.handle(waiting, Event.CUSTOMER_REPLY, NOW + timedelta(hours=1)).ticket
    assert not reopened.queue_order.startswith("~")
