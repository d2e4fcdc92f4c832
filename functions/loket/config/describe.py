"""The workflow in words, for `loket check-config`: what an operator checks by eye."""

from __future__ import annotations

from datetime import datetime

from loket.domain.workflow import Workflow

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def describe_workflow(workflow: Workflow, year: int | None = None) -> list[str]:
    lines = ["workflow:"]
    for status in workflow.statuses.values():
        who = ", ".join(sorted(role.value for role in status.set_by))
        clock = "" if workflow.sla is None else (
            "; SLA runs" if status.sla_runs else "; SLA paused")
        lines.append(f"  {status.id} ({status.category.value}; set by {who}{clock})")
    for rule in workflow.transitions:
        sources = ", ".join(sorted(rule.sources)) if rule.sources is not None else "any status"
        lines.append(f"  on {rule.on.value}: {sources} -> {rule.to}")
    for timer in workflow.timers:
        action = f"move to {timer.to}" if timer.to else "remind"
        if timer.to and timer.remind:
            action += " with a reminder"
        lines.append(f"  after {timer.after} in {timer.status}: {action}")
    if workflow.sla is not None:
        for level in workflow.sla.priorities.values():
            lines.append(f"  priority {level.id}: first response {level.first_response}, "
                         f"resolution {level.resolution}")
    return lines + _calendar_lines(workflow, year or datetime.now().year)


def _calendar_lines(workflow: Workflow, year: int) -> list[str]:
    calendar = workflow.calendar
    hours = ", ".join(f"{_DAYS[day]} " + " ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in periods)
                      for day, periods in sorted(calendar.hours.items()))
    lines = [f"calendar: {calendar.zone}; {hours}"]
    names = getattr(calendar.closed_days, "names", None)
    if names is not None:
        lines += [f"  closed {day:%a %d %b %Y}: {name}" for day, name in names(year).items()]
    return lines
