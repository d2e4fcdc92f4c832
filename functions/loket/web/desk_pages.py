"""The agent desk under /desk/: the queue of the agent's products and a ticket's page
with the agent's moves (reply with files, status, impact and urgency, assign, warranty).
Server-rendered in the site's page shell, plain forms with the session's CSRF token
(web/auth.py checks it on every post), so it works without JavaScript.

Only agents get here, and only for tickets of the products on their review board;
anyone else signed in gets exactly the "not found" page a missing number gets.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, redirect, request

from loket.domain.errors import TicketNotFound, TransitionRefused, ValidationFailed
from loket.domain.sla import SlaClock
from loket.services.desk import (ACTIVE, ALL, STATUS, agent_statuses, category_choices,
                                 is_agent, is_desk_admin, open_for_agent, queue, sla_clock)
from loket.services.plans import mark_warranty
from loket.services.canned_replies import choices as canned_choices
from loket.services.assignment import assign_from_list, assignees
from loket.services.status import agent_reply, set_priority, set_status
from loket.services.suppressions import may_lift
from loket.services.collision import StaleView, check_fresh
from loket.web.auth import require_viewer
from loket.web import desk_view
from loket.web.desk_record import record_context, stale_text
from loket.web.converters import ticket_cursor
from loket.web.current import services
from loket.web.pages import field_messages, language, message_page, page
from loket.web.payloads import allow_files, inline_files, upload_ids
from loket.web.i18n import strings
from loket.web.rendering import render_fragment

bp = Blueprint("desk", __name__, url_prefix="/desk")


def not_found(lang: str):
    return message_page("not_found_title", strings(lang)["not_found_text"], lang, status=404)


# -- the queue ---------------------------------------------------------------------------

@bp.get("/")
def queue_page():
    me, lang = require_viewer(), language()
    if not is_agent(me):
        return not_found(lang)
    category = request.args.get("category") or ACTIVE
    product = request.args.get("product", "")
    sort = "oldest" if request.args.get("sort") == "oldest" else "newest"
    after = request.args.get("after", "")
    try:
        found = queue(services(), me, category=category, product=product or None,
                      oldest_first=sort == "oldest", after=ticket_cursor(after))
    except ValidationFailed as exc:
        return message_page(None, " ".join(field_messages(exc).values()), lang, status=422,
                            title=strings(lang)["errors_intro"])
    base = {"category": category, "product": product, "sort": sort, "lang": lang}
    content = render_fragment(
        "desk_queue.html", lang=lang, viewer=me, queue=found, category=category,
        product=product, sort=sort, after=after, categories=filter_choices(lang),
        products=sorted(me.rights), clock_of=lambda t: clock_text(sla_clock(services(), t)),
        **labels(lang), first_url="/desk/?" + urlencode(base),
        next_url=("/desk/?" + urlencode({**base, "after": found.next_after})
                  if found.next_after else None))
    return page(content, title="Agent desk", lang=lang)


def filter_choices(lang: str) -> list[tuple[str, str]]:
    """(value, text) of the status filter: the workflow's statuses by agent label."""
    fixed = {ACTIVE: "Needs work (not solved, closed or cancelled)", ALL: "All"}
    config = services().config
    return [(value, fixed.get(value) or
             desk_view.status_label(config, value.removeprefix(STATUS), lang))
            for value in category_choices(services())]


def labels(lang: str) -> dict:
    config = services().config
    sla = config.workflow.sla
    return {"product_name": lambda p: config.products[p].get(lang) if p in config.products else p,
            "status_label": lambda s: desk_view.status_label(config, s, lang),
            "local_time": lambda moment: desk_view.local_time(config, moment, lang),
            "priority_label": lambda p: (sla.priorities[p].label(lang)
                                         if sla is not None and p in sla.priorities else p or "")}


def clock_text(clock: SlaClock) -> str:
    target = clock.target.value.replace("-", " ") if clock.target else ""
    if clock.state == "running":
        return f"{duration(clock.left)} to {target}"
    if clock.state == "paused":
        return f"paused ({duration(clock.left)} to {target})"
    if clock.state == "breached":
        return f"breached ({target})"
    return "—"


def duration(left: timedelta | None) -> str:
    minutes = int((left or timedelta(0)).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


# -- a ticket ------------------------------------------------------------------------------

@bp.get("/tickets/<int:number>")
def ticket_page(number: int):
    me, lang = require_viewer(), language()
    try:
        ticket = open_for_agent(services(), me, number)
    except TicketNotFound:
        return not_found(lang)
    return show(me, ticket, lang)


def show(me, ticket, lang: str, *, error: str = "", body: str = "", status: int = 200):
    workflow = services().config.workflow
    content = render_fragment(
        "desk_ticket.html", lang=lang, viewer=me, ticket=ticket, error=error, body=body,
        messages=services().store.list_messages(ticket.number),
        status=workflow.status(ticket.status), agent_statuses=agent_statuses(services()),
        sla=workflow.sla, deadlines=workflow.sla_deadlines(ticket),
        clock=clock_text(sla_clock(services(), ticket)),
        attachments=services().config.attachments, csrf_token=me.session.csrf,
        **suppression_context(me, ticket),
        fields=desk_view.field_rows(services().config, ticket, lang),
        assignees=assignees(services(), ticket.product, lang),
        **record_context(services(), me, ticket, lang),
        type_label=desk_view.type_label(services().config, ticket, lang),
        canned=canned_choices(services(), ticket, me.account),
        may_erase=is_desk_admin(services(), me), **labels(lang))
    return page(content, title=f"#{ticket.number} {ticket.subject}", lang=lang, status=status)


def suppression_context(me, ticket) -> dict:
    """The requester's suppression (no mail reaches them) with the lift button for a
    desk admin; else the last lift of one, so the page says who let mail go again."""
    store = services().store
    suppressed = store.get_suppression(ticket.email)
    last_lift = None if suppressed else next(iter(store.suppression_lifts(ticket.email)), None)
    return {"suppressed": suppressed, "last_lift": last_lift,
            "may_lift": suppressed is not None and may_lift(services(), me),
            "lifted": request.args.get("lifted") == "1" and last_lift is not None}


def act(number: int, move):
    """Run one agent move on the ticket; back to its page, or the page with the reason."""
    me, lang = require_viewer(), language()
    try:
        ticket = open_for_agent(services(), me, number)
    except TicketNotFound:
        return not_found(lang)
    try:
        move(me, ticket)
    except ValidationFailed as exc:
        return show(me, ticket, lang, error=" ".join(field_messages(exc).values()),
                    body=request.form.get("body", ""), status=422)
    except TransitionRefused as exc:
        return show(me, ticket, lang, error=f"Not possible from '{exc.status}' ({exc.action}).",
                    status=409)
    except StaleView as exc:  # The ticket as it is now; the typed text kept, unsent.
        return show(me, exc.ticket, lang, error=stale_text(services(), me, exc, lang),
                    body=request.form.get("body", ""), status=409)
    return redirect(f"/desk/tickets/{number}?lang={lang}", code=303)


@bp.post("/tickets/<int:number>/reply")
def reply(number: int):
    allow_files(request)

    def move(me, ticket):
        check_fresh(services(), ticket, request.form.get("version"), me.account.email)
        agent_reply(services(), ticket.number, request.form.get("body", ""),
                    agent=me.account.email, status=request.form.get("status") or None,
                    public=request.form.get("internal") != "on",
                    attachments=upload_ids(request), files=inline_files(request))
    return act(number, move)


@bp.post("/tickets/<int:number>/status")
def status(number: int):
    def move(me, ticket):
        check_fresh(services(), ticket, request.form.get("version"), me.account.email)
        set_status(services(), ticket.number, request.form.get("status", ""),
                   by=me.account.email)
    return act(number, move)


@bp.post("/tickets/<int:number>/priority")
def priority(number: int):
    return act(number, lambda me, t: set_priority(services(), t.number,
                                                  request.form.get("impact", ""),
                                                  request.form.get("urgency", ""),
                                                  by=me.account.email))


@bp.post("/tickets/<int:number>/assign")
def assign_ticket(number: int):
    return act(number, lambda me, t: assign_from_list(
        services(), t.number, request.form.get("assignee", ""), by=me.account.email))


@bp.post("/tickets/<int:number>/warranty")
def warranty(number: int):
    marked = request.form.get("warranty", "").lower() in ("1", "true", "on", "yes")
    return act(number, lambda me, t: mark_warranty(services(), me, t.number, marked))
