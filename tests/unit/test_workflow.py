"""The workflow engine on its own: events, timers, SLA clock and due_at, pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.domain.calendar import BusinessCalendar, Duration
from tests.unit import pre_13_oracles as oracles
from loket.domain.errors import FieldError, TransitionRefused, ValidationFailed
from loket.domain.sla import FormRule, Priority, SlaPolicy, SlaTarget
from loket.domain.tickets import AuthorRole, NewTicket, Status, StatusCategory, Ticket
from loket.domain.workflow import (POSTPONED_UNTIL, Breached, Event, Reminded, StatusChanged,
                                   Timer, Transition, Workflow, _marked)

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


# -- Properties: a new ticket's start, its levels and SLA deadlines, against the code as
# it was before the #13 shortcuts (4333025^), kept here as reference oracles. The
# shortcuts: start reads the NewTicket as the Ticket it becomes (no Ticket made),
# deadlines walk the calendar once for all targets, starting_levels stops reading rules
# once both levels are decided, timer_deadlines reads no marks without pending timers.

def _oracle_starting_levels(policy: SlaPolicy, fields) -> tuple[str, str]:
    matched = [rule for rule in policy.rules if rule.matches(fields)]
    impact = next((r.impact for r in matched if r.impact), policy.default_impact)
    urgency = next((r.urgency for r in matched if r.urgency), policy.default_urgency)
    return impact, urgency


def _oracle_priority_for(policy: SlaPolicy, impact: str, urgency: str) -> str:
    errors = [FieldError(name, f"must be one of: {', '.join(allowed)}")
              for name, value, allowed in (("impact", impact, policy.impacts),
                                           ("urgency", urgency, policy.urgencies))
              if value not in allowed]
    if errors:
        raise ValidationFailed(errors)
    return policy.matrix[(impact, urgency)]


def _oracle_target(policy: SlaPolicy, priority: str, target: SlaTarget,
                   calendar: BusinessCalendar) -> timedelta:
    level = policy.priorities[priority]
    duration = level.first_response if target is SlaTarget.FIRST_RESPONSE else level.resolution
    if duration.unit == "days":
        return duration.amount * calendar.working_day()
    return duration.amount * timedelta(**{duration.unit: 1})


def _oracle_deadlines(ticket: Ticket, policy: SlaPolicy | None,
                      calendar: BusinessCalendar) -> dict:
    if policy is None or ticket.sla_since is None or ticket.priority not in policy.priorities:
        return {}
    found = {}
    for target in SlaTarget:
        if target.value in ticket.sla_breaches:
            continue
        if target is SlaTarget.FIRST_RESPONSE and ticket.first_response_at is not None:
            continue
        left = _oracle_target(policy, ticket.priority, target, calendar) - ticket.sla_used
        found[target] = oracles.add_working_time(calendar, ticket.sla_since, left)
    return found


def _oracle_timer_deadlines(workflow: Workflow, ticket: Ticket) -> list:
    postponed = _marked(ticket, POSTPONED_UNTIL)
    pending = [(workflow._deadline(ticket, timer, postponed), timer)
               for timer in workflow.timers
               if timer.status == ticket.status and timer.id not in ticket.timers_fired]
    return sorted(pending, key=lambda pair: pair[0])


def _oracle_start(workflow: Workflow, new: NewTicket) -> NewTicket:
    if workflow.sla is not None:
        impact, urgency = _oracle_starting_levels(
            workflow.sla, {"type": new.type, "product": new.product, **new.fields})
        running = workflow.status(new.status).sla_runs
        new = replace(new, impact=impact, urgency=urgency,
                      priority=_oracle_priority_for(workflow.sla, impact, urgency),
                      sla_since=new.created_at if running else None)
    ticket = oracles.ticket_from_new(0, new)
    deadlines = _oracle_deadlines(ticket, workflow.sla, workflow.calendar)
    moments = [at for at, _ in _oracle_timer_deadlines(workflow, ticket)]
    moments += deadlines.values()
    moments += filter(None, [workflow.removal_at(ticket)])
    return replace(new, due_at=min(moments, default=None),
                   **workflow.queue_keys(ticket, deadlines))


_RULE_POOL = [FormRule("type", impact="high", urgency="high", equals="incident"),
              FormRule("users", impact="high", at_least=50),
              FormRule("users", impact="low", at_least=5),
              FormRule("env", urgency="high", equals="production"),
              FormRule("type", impact="low", urgency="low", equals="question"),
              FormRule("users", urgency="low", at_least=1),
              FormRule("env", impact="", urgency="", equals="test"),
              FormRule("product", urgency="high", equals="planner"),
              FormRule("product", impact="unknown-level", equals="ledger")]
_field_values = st.fixed_dictionaries({}, optional={
    "users": st.one_of(st.sampled_from([0, 1, 4, 5, 49, 50, 60, True, 50.0, "70", None]),
                       st.integers(), st.floats(allow_nan=True)),
    "env": st.sampled_from(["production", "test", "", None, 3]),
    "type": st.sampled_from(["incident", "question", "other"]),
    "product": st.sampled_from(["planner", "ledger"]),
    "other": st.text(max_size=3)})
_durations = st.builds(Duration, st.integers(0, 60),
                       st.sampled_from(["minutes", "hours", "days"]), st.booleans())
_TIMER_POOL = [Timer("nudge", "open", Duration(2, "days")),
               Timer("late", "open", Duration(3, "hours", True), to="escalated"),
               Timer("wait", "waiting", Duration(4, "days"), to="closed", remind=False),
               Timer("quick", "solved", Duration(30, "minutes")),
               Timer("done", "closed", Duration(1, "days", True), to="open")]
_CALENDARS = [WORKFLOW.calendar,
              BusinessCalendar(ZoneInfo("UTC"), {d: ((time(0), time(23, 59, 59, 999999)),)
                                                 for d in range(7)}),
              BusinessCalendar(ZoneInfo("America/New_York"),
                               {d: ((time(8), time(12)), (time(13), time(17, 30)))
                                for d in range(5)},
                               frozenset({date(2026, 11, 26), date(2026, 12, 25)})),
              BusinessCalendar(AMS, {6: ((time(1), time(4)),)})]


@st.composite
def _workflows(draw):
    sla = None
    if draw(st.booleans()):
        sla = replace(SLA, rules=tuple(draw(st.lists(st.sampled_from(_RULE_POOL), max_size=6))),
                      priorities={name: Priority(name, {"en": name}, draw(_durations),
                                                 draw(_durations)) for name in ("p1", "p2")})
    return replace(WORKFLOW, sla=sla, calendar=draw(st.sampled_from(_CALENDARS)),
                   timers=tuple(draw(st.lists(st.sampled_from(_TIMER_POOL), unique=True))),
                   closed_ticket_months=draw(st.one_of(st.none(), st.integers(1, 30))))


_moments = st.one_of(
    st.datetimes(datetime(2025, 12, 1), datetime(2028, 12, 31),
                 timezones=st.sampled_from([AMS, ZoneInfo("UTC"), ZoneInfo("America/New_York")])),
    st.sampled_from([at("2026-03-29 01:59"), at("2026-03-29 03:00"), at("2026-10-25 02:30"),
                     at("2026-04-24 16:59:59.999999"), at("2026-04-24 17:00"),
                     at("2026-12-31 23:59:59.999999"), at("2027-01-01 00:00"),
                     at("2026-04-26 12:00")]))


@st.composite
def _new_tickets(draw):
    return NewTicket(email="ann@example.com", product=draw(st.sampled_from(["planner", "ledger"])),
                     type=draw(st.sampled_from(["question", "incident"])), subject="s",
                     description="d", fields=draw(_field_values), language="en",
                     status=draw(st.sampled_from([*STATUSES, "gone"])),
                     created_at=draw(_moments),
                     priority=draw(st.sampled_from([None, "p1", "p2", "p9"])))


def _outcome(call):
    try:
        return "answer", call()
    except ValidationFailed as exc:
        return "refused", exc.errors
    except ValueError as exc:
        return "no time", str(exc)


@settings(derandomize=True, max_examples=400, deadline=None)
@given(_workflows(), _new_tickets())
def test_start_gives_what_the_former_start_gave(workflow, new):
    got, expected = _outcome(lambda: workflow.start(new)), _outcome(lambda: _oracle_start(workflow, new))
    assert got[0] == expected[0]
    if got[0] == "answer":
        assert type(got[1]) is NewTicket
        assert list(vars(got[1]).items()) == list(vars(expected[1]).items())
    else:
        assert got == expected


@settings(derandomize=True, max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_RULE_POOL), max_size=8), _field_values,
       st.sampled_from(["low", "high", "unknown-level"]))
def test_starting_levels_and_priority_are_the_former_formula_s(rules, fields, default):
    policy = replace(SLA, rules=tuple(rules), default_urgency=default)
    levels = policy.starting_levels(fields)
    assert levels == _oracle_starting_levels(policy, fields)
    assert _outcome(lambda: policy.priority_for(*levels)) == \
        _outcome(lambda: _oracle_priority_for(policy, *levels))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(_workflows(), _new_tickets(), st.data())
def test_sla_deadlines_and_due_moments_of_any_ticket_are_the_former_ones(workflow, new, data):
    # Tickets along their life: answered or not, SLA time used, targets breached,
    # timers fired and late-sweep marks, in any status.
    ticket = replace(
        Ticket.from_new(7, new),
        priority=data.draw(st.sampled_from([None, "p1", "p2", "p9"])),
        sla_since=data.draw(st.one_of(st.none(), _moments)),
        first_response_at=data.draw(st.one_of(st.none(), _moments)),
        sla_used=data.draw(st.timedeltas(timedelta(0), timedelta(hours=300))),
        sla_breaches=tuple(data.draw(st.lists(st.sampled_from(["first_response", "resolution"]),
                                              unique=True))),
        timers_fired=tuple(data.draw(st.lists(st.sampled_from(
            ["nudge", "late", "wait", "quick", "done",
             POSTPONED_UNTIL + "2026-05-01T10:00:00+00:00",
             POSTPONED_UNTIL + "2027-02-01T10:00:00+00:00"]), unique=True))))
    got = _outcome(lambda: workflow.sla_deadlines(ticket))
    assert got == _outcome(lambda: _oracle_deadlines(ticket, workflow.sla, workflow.calendar))
    if got[0] == "answer":
        assert list(got[1]) == [t for t in SlaTarget if t in got[1]]  # in target order
        assert workflow.timer_deadlines(ticket) == _oracle_timer_deadlines(workflow, ticket)
