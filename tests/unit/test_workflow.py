"""The workflow engine on its own: events, timers, SLA clock and due_at, pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from loket.domain.calendar import BusinessCalendar, Duration
from loket.domain.errors import TransitionRefused, ValidationFailed
from loket.domain.sla import FormRule, Priority, SlaPolicy, SlaTarget
from loket.domain.tickets import AuthorRole, NewTicket, Status, StatusCategory, Ticket
from loket.domain.workflow import (Breached, Event, Reminded, StatusChanged, Timer,
                                   Transition, Workflow)

AMS = ZoneInfo("Europe/Amsterdam")
ALL = frozenset(AuthorRole)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


STATUSES = {
    "open": Status("open", StatusCategory.OPEN, {"en": "Open"}),
    "waiting": Status("waiting", StatusCategory.PENDING, {"en": "Waiting"},
                      frozenset({AuthorRole.AGENT}), sla_runs=False),
    "escalated": Status("escalated", StatusCategory.OPEN, {"en": "Escalated"}),
    "solved": Status("solved", StatusCategory.SOLVED, {"en": "Solved"}, sla_runs=False),
    "closed": Status("closed", StatusCategory.CLOSED, {"en": "Closed"}, sla_runs=False),
}
SLA = SlaPolicy(impacts=("high", "low"), urgencies=("high", "low"),
                matrix={("high", "high"): "p1", ("high", "low"): "p2",
                        ("low", "high"): "p2", ("low", "low"): "p2"},
                priorities={"p1": Priority("p1", {"en": "P1"}, Duration(1, "hours", True),
                                           Duration(4, "hours", True)),
                            "p2": Priority("p2", {"en": "P2"}, Duration(1, "days", True),
                                           Duration(5, "days", True))},
                default_impact="low", default_urgency="low")
WORKFLOW = Workflow(
    statuses=STATUSES, initial_status="open",
    transitions=(Transition(Event.CUSTOMER_REPLY, "open", frozenset({"waiting"})),
                 Transition(Event.CUSTOMER_CLOSES, "closed"),
                 Transition(Event.RESOLUTION_BREACHED, "escalated", frozenset({"open"}))),
    timers=(Timer("nudge", "waiting", Duration(2, "days")),
            Timer("nudge-again", "waiting", Duration(4, "days")),
            Timer("give-up", "waiting", Duration(6, "days"), to="closed", remind=False)),
    calendar=BusinessCalendar(AMS, {d: ((time(9), time(17)),) for d in range(5)},
                              frozenset({date(2026, 4, 27)})),
    sla=SLA)


def started(when: str = "2026-04-20 09:00") -> Ticket:
    new = NewTicket(email="ann@example.com", product="planner", type="question",
                    subject="s", description="d", fields={}, language="en",
                    status="open", created_at=at(when))
    return Ticket.from_new(10001, WORKFLOW.start(new))


def test_a_new_ticket_starts_its_sla_clock_with_the_default_priority():
    ticket = started()
    assert (ticket.impact, ticket.urgency, ticket.priority) == ("low", "low", "p2")
    assert ticket.sla_since == at("2026-04-20 09:00")
    assert ticket.due_at == at("2026-04-20 17:00")  # first response: one working day


def test_waiting_pauses_the_clock_and_a_reply_resumes_it():
    ticket = WORKFLOW.agent_replied(started(), at("2026-04-20 10:00")).ticket
    step = WORKFLOW.set_status(ticket, "waiting", at("2026-04-20 11:00"), by=AuthorRole.AGENT)
    assert step.changes == (StatusChanged("open", "waiting", "agent"),)
    paused = step.ticket
    assert paused.sla_since is None and paused.sla_used == timedelta(hours=2)
    assert paused.due_at == at("2026-04-22 11:00")  # only the first reminder is pending
    back = WORKFLOW.handle(paused, Event.CUSTOMER_REPLY, at("2026-04-24 16:00")).ticket
    assert back.status == "open" and back.sla_since == at("2026-04-24 16:00")
    # 40 - 2 = 38 working hours left: Fri 1 h, Mon 27 April is King's Day, then 37 h.
    assert back.due_at == at("2026-05-04 14:00")


def test_reminders_fire_once_each_then_the_move():
    ticket = WORKFLOW.set_status(started(), "waiting", at("2026-04-20 10:00"),
                                 by=AuthorRole.AGENT).ticket
    step = WORKFLOW.fire_due(ticket, at("2026-04-22 10:00"))
    assert step.changes == (Reminded("nudge"),)
    assert WORKFLOW.fire_due(step.ticket, at("2026-04-22 11:00")).changes == ()
    step = WORKFLOW.fire_due(step.ticket, at("2026-04-24 10:00"))
    assert step.changes == (Reminded("nudge-again"),)
    step = WORKFLOW.fire_due(step.ticket, at("2026-04-26 09:59"))
    assert step.changes == ()
    step = WORKFLOW.fire_due(step.ticket, at("2026-04-26 10:00"))
    # The close says since when the customer was silent and when they were reminded.
    assert step.changes == (StatusChanged("waiting", "closed", "timer",
                                          waited_since=at("2026-04-20 10:00"),
                                          reminded_at=at("2026-04-24 10:00")),)
    assert step.ticket.due_at is None


def test_several_reminders_due_at_once_send_one():
    ticket = WORKFLOW.set_status(started(), "waiting", at("2026-04-20 10:00"),
                                 by=AuthorRole.AGENT).ticket
    step = WORKFLOW.fire_due(ticket, at("2026-04-24 12:00"))
    assert step.changes == (Reminded("nudge-again"),)
    # Both timers are spent; the one reminder sent is remembered with its moment.
    assert step.ticket.timers_fired == ("nudge", "nudge-again",
                                        f"reminded-at:{at('2026-04-24 12:00').isoformat()}")


def test_a_breach_is_flagged_once_and_may_move_the_ticket():
    ticket = WORKFLOW.set_priority(started(), "high", "high", at("2026-04-20 09:00")).ticket
    step = WORKFLOW.fire_due(ticket, at("2026-04-20 10:00"))
    assert step.changes == (Breached(SlaTarget.FIRST_RESPONSE),)
    assert step.ticket.status == "open"
    step = WORKFLOW.fire_due(step.ticket, at("2026-04-20 13:00"))
    assert step.changes == (Breached(SlaTarget.RESOLUTION),
                            StatusChanged("open", "escalated", "resolution-breached"))
    assert step.ticket.sla_breaches == ("first-response", "resolution")
    assert step.ticket.due_at is None


def test_requests_without_a_transition_are_refused_and_others_leave_the_status():
    ticket = started()
    with pytest.raises(TransitionRefused) as exc:
        WORKFLOW.handle(ticket, Event.CUSTOMER_REOPENS, at("2026-04-20 10:00"))
    assert (exc.value.action, exc.value.status) == ("customer-reopens", "open")
    step = WORKFLOW.handle(ticket, Event.CUSTOMER_REPLY, at("2026-04-20 10:00"))
    assert step.changes == () and step.ticket.status == "open"


def test_who_may_set_a_status():
    with pytest.raises(ValidationFailed, match="cannot be set by the customer"):
        WORKFLOW.set_status(started(), "waiting", at("2026-04-20 10:00"),
                            by=AuthorRole.CUSTOMER)
    with pytest.raises(ValidationFailed, match="unknown status"):
        WORKFLOW.set_status(started(), "lost", at("2026-04-20 10:00"), by=AuthorRole.AGENT)


def test_an_internal_note_is_no_first_response():
    step = WORKFLOW.agent_replied(started(), at("2026-04-20 10:00"), public=False)
    assert step.ticket.first_response_at is None


def test_a_status_the_configuration_dropped_still_shows_and_moves_on():
    ticket = replace(started(), status="triage")
    assert WORKFLOW.status("triage").category is StatusCategory.OPEN
    assert WORKFLOW.handle(ticket, Event.CUSTOMER_CLOSES, at("2026-04-20 10:00")).ticket.status \
        == "closed"


def test_assign_needs_a_name():
    with pytest.raises(ValidationFailed, match="assignee"):
        WORKFLOW.assign(started(), "  ", at("2026-04-20 10:00"))
    assert WORKFLOW.assign(started(), " team ", at("2026-04-20 10:00")).ticket.assignee == "team"


@pytest.mark.parametrize("when, type_", [("2026-04-20 09:00", "question"),
                                         ("2026-04-24 16:30", "incident"),
                                         ("2026-04-26 12:00", "question")])
def test_start_reads_a_new_ticket_as_the_ticket_it_becomes(when, type_):
    rules = (FormRule("type", impact="high", urgency="high", equals="incident"),)
    workflow = replace(WORKFLOW, sla=replace(SLA, rules=rules),
                       timers=WORKFLOW.timers + (Timer("hello", "open", Duration(2, "hours")),))
    new = NewTicket(email="ann@example.com", product="planner", type=type_, subject="s",
                    description="d", fields={}, language="en", status="open",
                    created_at=at(when))
    begun = workflow.start(new)
    # What the rules read of a ticket, the NewTicket answers as the stored ticket would.
    stored = Ticket.from_new(0, begun)
    for name in ("first_response_at", "sla_used", "sla_breaches", "timers_fired",
                 "entered_status_at", "status", "priority", "sla_since", "created_at"):
        assert getattr(begun, name) == getattr(stored, name), name
    # So its due moment and queue keys are the ones the workflow gives that ticket.
    deadlines = workflow.sla_deadlines(stored)
    assert begun.due_at == workflow.due_at(stored, deadlines) is not None
    assert {"queue_category": begun.queue_category, "queue_order": begun.queue_order} == \
        workflow.queue_keys(stored, deadlines)
    assert workflow._scheduled(stored) == replace(stored, due_at=begun.due_at,
                                                  queue_category=begun.queue_category,
                                                  queue_order=begun.queue_order)


@pytest.mark.parametrize("fields", [
    {}, {"type": "incident"}, {"users": 60}, {"users": 60, "env": "production"},
    {"type": "incident", "users": 60, "env": "production"}, {"users": 7, "type": "question"},
    {"users": True}, {"users": "70"}, {"env": "production", "type": "question"}])
def test_starting_levels_are_the_first_matching_rule_that_names_each(fields):
    rules = (FormRule("type", impact="high", urgency="high", equals="incident"),
             FormRule("users", impact="high", at_least=50),
             FormRule("users", impact="low", at_least=5),
             FormRule("env", urgency="high", equals="production"),
             FormRule("type", impact="low", urgency="low", equals="question"))
    matched = [rule for rule in rules if rule.matches(fields)]
    expected = (next((r.impact for r in matched if r.impact), "low"),
                next((r.urgency for r in matched if r.urgency), "low"))
    assert replace(SLA, rules=rules).starting_levels(fields) == expected
