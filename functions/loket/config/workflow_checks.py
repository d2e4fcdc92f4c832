"""Checks across a workflow file: every status, priority and target it names exists,
and every transition leads to a status that whoever causes it may set.

Each problem is (location, message); the loader turns the location into a line.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from loket.domain.tickets import AuthorRole, StatusCategory

if TYPE_CHECKING:
    from loket.config.workflow import SlaSpec, WorkflowFile

Problems = list[tuple[tuple, str]]


def find_problems(wf: "WorkflowFile") -> Problems:
    problems: Problems = []
    problems += _duplicates("statuses", [s.id for s in wf.statuses])
    statuses = {s.id: s for s in wf.statuses}
    if wf.initial_status not in statuses:
        problems.append((("initial_status",), f"'{wf.initial_status}' is not a listed status"))
    problems += _transition_problems(wf, statuses)
    problems += _timer_problems(wf, statuses)
    if not wf.calendar.hours or not any(wf.calendar.hours.values()):
        problems.append((("calendar", "hours"), "the calendar needs opening hours on some day"))
    if wf.sla is not None:
        problems += _sla_problems(wf.sla)
    return problems


def _transition_problems(wf: "WorkflowFile", statuses: dict) -> Problems:
    from loket.config.workflow import event_actor

    problems: Problems = []
    for i, spec in enumerate(wf.transitions):
        for j, source in enumerate(spec.from_ or []):
            if source not in statuses:
                problems.append((("transitions", i, "from", j),
                                 f"'{source}' is not a listed status"))
        problems += _target_problem(("transitions", i, "to"), spec.to, statuses,
                                    event_actor(spec.event))
    return problems


def _timer_problems(wf: "WorkflowFile", statuses: dict) -> Problems:
    from loket.config.workflow import closing_status

    problems: Problems = []
    seen: Counter = Counter()
    for i, spec in enumerate(wf.timers):
        here = ("timers", i)
        if spec.in_ not in statuses:
            problems.append((here + ("in",), f"'{spec.in_}' is not a listed status"))
        seen[(spec.in_, spec.timer_id())] += 1
        if seen[(spec.in_, spec.timer_id())] == 2:
            problems.append((here, f"a second timer '{spec.timer_id()}' in '{spec.in_}': "
                                   "give one an id of its own"))
        if spec.do == "remind" and spec.to is not None:
            problems.append((here + ("to",), "a reminder leaves the status as it is: "
                                             "use 'do: move' to move the ticket on"))
        elif spec.do == "move" and spec.to is None:
            problems.append((here + ("to",), "'do: move' needs the status to move to"))
        elif spec.to is not None:
            problems += _target_problem(here + ("to",), spec.to, statuses, AuthorRole.SYSTEM)
            if spec.do == "close" and spec.to in statuses and \
                    statuses[spec.to].category is not StatusCategory.CLOSED:
                problems.append((here + ("to",), f"'{spec.to}' is not a closed status"))
        elif spec.do == "close":
            built = {s.id: s.status() for s in wf.statuses}
            if closing_status(built) is None:
                problems.append((here + ("do",), "no closed status that a timer (system) "
                                                 "may set: add one, or name it with 'to'"))
    return problems


def _target_problem(loc: tuple, target: str, statuses: dict, actor: AuthorRole) -> Problems:
    if target not in statuses:
        return [(loc, f"'{target}' is not a listed status")]
    if actor not in statuses[target].set_by:
        return [(loc, f"status '{target}' cannot be set by the {actor.value}: "
                      f"add {actor.value} to its set_by")]
    return []


def _sla_problems(sla: "SlaSpec") -> Problems:
    problems: Problems = []
    problems += _duplicates(("sla", "impacts"), sla.impacts, index=True)
    problems += _duplicates(("sla", "urgencies"), sla.urgencies, index=True)
    problems += _duplicates(("sla", "priorities"), [p.id for p in sla.priorities])
    priorities = {p.id for p in sla.priorities}
    for impact in sla.impacts:
        row = sla.matrix.get(impact)
        if row is None:
            problems.append((("sla", "matrix"), f"no row for impact '{impact}'"))
            continue
        for urgency in sla.urgencies:
            if urgency not in row:
                problems.append((("sla", "matrix", impact), f"no priority for urgency '{urgency}'"))
            elif row[urgency] not in priorities:
                problems.append((("sla", "matrix", impact, urgency),
                                 f"'{row[urgency]}' is not a listed priority"))
        problems += [(("sla", "matrix", impact, u), f"'{u}' is not a listed urgency")
                     for u in row if u not in sla.urgencies]
    problems += [(("sla", "matrix", i), f"'{i}' is not a listed impact")
                 for i in sla.matrix if i not in sla.impacts]
    for key, allowed in (("impact", sla.impacts), ("urgency", sla.urgencies)):
        if sla.default.get(key) not in allowed:
            problems.append((("sla", "default", key), f"must be one of: {', '.join(allowed)}"))
    problems += _form_rule_problems(sla)
    for i, level in enumerate(sla.priorities):
        for target in ("first_response", "resolution"):
            if not getattr(level, target).working:
                problems.append((("sla", "priorities", i, target),
                                 "SLA targets count working time: write e.g. '4 working hours'"))
    return problems


def _form_rule_problems(sla: "SlaSpec") -> Problems:
    """Each from_form rule tests one way (equals or at_least) and sets a listed level."""
    problems: Problems = []
    for i, rule in enumerate(sla.from_form):
        here = ("sla", "from_form", i)
        if (rule.equals is None) == (rule.at_least is None):
            problems.append((here, "give exactly one of 'equals' (a value) or 'at_least' "
                                   "(a number)"))
        if rule.impact is None and rule.urgency is None:
            problems.append((here, "a rule sets 'impact', 'urgency' or both"))
        for key, value, allowed in (("impact", rule.impact, sla.impacts),
                                    ("urgency", rule.urgency, sla.urgencies)):
            if value is not None and value not in allowed:
                problems.append((here + (key,), f"'{value}' is not a listed {key}: "
                                                f"one of {', '.join(allowed)}"))
    return problems


def _duplicates(where, ids: list[str], *, index: bool = False) -> Problems:
    loc = where if isinstance(where, tuple) else (where,)
    counts = Counter(ids)
    return [(loc + ((i,) if index else (i, "id")), f"'{value}' is listed twice")
            for i, value in enumerate(ids) if counts[value] > 1 and ids.index(value) != i]
