"""The agent desk's views (/desk/views/<view>) and ticket search (/desk/search):
server-rendered, plain GET forms and links, so they work without JavaScript. Only
agents get here and only their products show (services/desk_views.py); anyone else
signed in gets the "not found" page a missing ticket gets.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, request

from loket.domain.errors import ValidationFailed
from loket.services.desk import is_agent, sla_clock
from loket.services.desk_views import (SEARCH_FIELDS, VIEW_IDS, VIEWS, search, view_counts,
                                       view_page)
from loket.storage.desk_queries import NEWEST, OLDEST, WORK
from loket.web.auth import require_viewer
from loket.web.current import services
from loket.web.desk_pages import clock_text, labels, not_found
from loket.web.pages import field_messages, language, page
from loket.web.rendering import render_fragment

bp = Blueprint("desk_views", __name__, url_prefix="/desk")
ORDER_CHOICES = ((WORK, "Needs work first"), (NEWEST, "Newest first"),
                 (OLDEST, "Oldest first"))


@bp.get("/views/<view>")
def view_list(view: str):
    me, lang = require_viewer(), language()
    if not is_agent(me) or view not in VIEW_IDS:
        return not_found(lang)
    product = request.args.get("product", "")
    order = request.args.get("order") or WORK
    after = request.args.get("after", "")
    errors: dict[str, str] = {}
    try:
        found = view_page(services(), me, view, product=product or None, order=order,
                          after=after or None)
        counts = view_counts(services(), me, product or None)
    except ValidationFailed as exc:
        errors, found, counts = field_messages(exc), None, {}
    base = {"product": product, "order": order, "lang": lang}
    content = render_fragment(
        "desk_views.html", **common(me, lang), view=view, counts=counts, found=found,
        errors=errors, product=product, order=order, after=after,
        orders=[c for c in ORDER_CHOICES if view != "sla" or c[0] == WORK],
        view_url=lambda v: f"/desk/views/{v}?" + urlencode({**base, "order": (
            WORK if v == "sla" else order)}),
        first_url=f"/desk/views/{view}?" + urlencode(base),
        next_url=(f"/desk/views/{view}?" + urlencode({**base, "after": found.next_after})
                  if found and found.next_after else None))
    title = dict((v.id, v.title) for v in VIEWS)[view]
    return page(content, title=f"{title} · Agent desk", lang=lang, status=422 if errors else 200)


@bp.get("/search")
def search_page():
    me, lang = require_viewer(), language()
    if not is_agent(me):
        return not_found(lang)
    form = {name: request.args.get(name, "")[:200] for name in SEARCH_FIELDS}
    before = request.args.get("before", "")
    asked = any(form.values())
    errors: dict[str, str] = {}
    result = None
    if asked:
        try:
            result = search(services(), me, form,
                            before=int(before) if before.isdigit() and len(before) < 19 else None)
        except ValidationFailed as exc:
            errors = field_messages(exc)
    if result is not None and result.number is not None:
        return redirect(f"/desk/tickets/{result.number}?lang={lang}", code=303)
    base = {**{k: v for k, v in form.items() if v}, "lang": lang}
    config = services().config
    sla = config.workflow.sla
    content = render_fragment(
        "desk_search.html", **common(me, lang), form=form, asked=asked, result=result,
        errors=errors, before=before,
        statuses=[(s, labels(lang)["status_label"](s)) for s in config.statuses],
        priorities=[(p, v.label(lang)) for p, v in (sla.priorities.items() if sla else ())],
        first_url="/desk/search?" + urlencode(base),
        next_url=("/desk/search?" + urlencode({**base, "before": result.next_before})
                  if result and result.next_before else None))
    return page(content, title="Search · Agent desk", lang=lang, status=422 if errors else 200)


def common(me, lang: str) -> dict:
    """What both pages show: the views' links, the agent's products, the table's labels."""
    workflow = services().config.workflow
    return {"lang": lang, "viewer": me, "views": VIEWS, "products": sorted(me.rights),
            "clock_of": lambda t: clock_text(sla_clock(services(), t)),
            "category_of": lambda s: workflow.status(s).category.value, **labels(lang)}
