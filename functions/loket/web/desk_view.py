"""What the desk shows in words agents read: statuses by their agent labels, form
fields by their form labels (and choices by theirs), times in the business calendar's
time zone. Pure functions over the configuration, for the desk's templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from loket.config.model import PortalConfig
from loket.domain.tickets import Ticket


def status_label(config: PortalConfig, status_id: str, lang: str) -> str:
    return config.status(status_id).agent_label(lang)


def local_time(config: PortalConfig, moment: datetime | None, lang: str = "en") -> str:
    """'26 Nov 2026, 10:30 CET' ('26 nov. 2026 10:30 CET' for a Dutch agent): where the
    desk works (the workflow's calendar), not UTC, as the agent's language writes it."""
    from loket.web.formats import format_datetime

    if moment is None:
        return ""
    return format_datetime(moment, lang, config.workflow.calendar.zone)


def choice_label(config: PortalConfig, field: str, value: Any, lang: str) -> str:
    """A choice field's value as its label ('problem-report' -> 'Problem report')."""
    spec = next((f for f in config.form.fields if f.name == field), None)
    if spec is None or spec.type != "choice":
        return "" if value is None else str(value)
    choices = config.form.choices(spec, config.products)
    found = next((c for c in choices if c.value == value), None)
    return found.label.get(lang) if found else str(value)


def field_rows(config: PortalConfig, ticket: Ticket, lang: str) -> list[tuple[str, str]]:
    """The ticket's extra form fields as (form label, shown value), in the form's order;
    a field the form no longer has keeps its id, so nothing a customer sent is hidden."""
    specs = {f.name: f for f in config.form.fields}
    order = [f.name for f in config.form.fields if f.name in ticket.fields]
    order += [name for name in ticket.fields if name not in specs]
    rows = []
    for name in order:
        spec, value = specs.get(name), ticket.fields[name]
        label = spec.label.get(lang) if spec else name
        if spec is not None and spec.type == "choice":
            shown = choice_label(config, name, value, lang)
        elif spec is not None and spec.type == "datetime" and isinstance(value, datetime):
            shown = local_time(config, value, lang)
        else:
            shown = "" if value is None else str(value)
        rows.append((label, shown))
    return rows


def type_label(config: PortalConfig, ticket: Ticket, lang: str) -> str:
    return choice_label(config, "type", ticket.type, lang)
