"""/desk/reports: the satisfaction report (services/reports.py) per product and per
agent, per week, for an agent's own products; anyone else gets "not found"."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, request

from loket.domain.errors import ValidationFailed
from loket.domain.reports import UNASSIGNED
from loket.services.desk import is_agent
from loket.services.reports import MAX_WEEKS, satisfaction_report, weeks_asked
from loket.web.auth import require_viewer
from loket.web.current import services
from loket.web.desk_pages import labels, not_found
from loket.web.pages import field_messages, language, message_page, page
from loket.web.i18n import strings
from loket.web.rendering import render_fragment

bp = Blueprint("desk_reports", __name__, url_prefix="/desk")


@bp.get("/reports")
def reports_page():
    me, lang = require_viewer(), language()
    if not is_agent(me):
        return not_found(lang)
    product = request.args.get("product", "")
    try:
        report = satisfaction_report(services(), me, weeks=weeks_asked(request.args.get("weeks")),
                                     product=product or None)
    except ValidationFailed as exc:
        return message_page(None, " ".join(field_messages(exc).values()), lang, status=422,
                            title=strings(lang)["errors_intro"])
    content = render_fragment(
        "desk_reports.html", lang=lang, viewer=me, report=report, product=product,
        products=sorted(me.rights), week_choices=(4, 8, 13, MAX_WEEKS), hours=hours,
        agent_name=lambda name: "(unassigned)" if name == UNASSIGNED else name,
        local_zone=services().config.workflow.calendar.zone, **labels(lang))
    return page(content, title="Satisfaction report", lang=lang)


def hours(amount: timedelta | None) -> str:
    """Working time as '3h 05m' (or '—'): the SLA's targets are in working hours."""
    if amount is None:
        return "—"
    minutes = int(amount.total_seconds() // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"
