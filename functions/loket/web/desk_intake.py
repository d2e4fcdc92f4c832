"""Telephone intake on the desk (#12): /desk/tickets/new, a form an agent fills in for
a customer (services/intake.py). A plain form with the session's CSRF token, files
sent with it; no script takes it over (the customer's ticket form is sent by
portal.js as whoever is signed in, which here would be the agent)."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from loket.domain.errors import ValidationFailed
from loket.services.desk import is_agent
from loket.services.intake import CUSTOMER_FIELD, take_phone_ticket
from loket.web.auth import require_viewer
from loket.web.current import services
from loket.web.desk_pages import not_found
from loket.web.pages import field_messages, language, page
from loket.web.payloads import allow_files, inline_files
from loket.web.rendering import render_fragment

bp = Blueprint("desk_intake", __name__, url_prefix="/desk")
LEFT_OUT = {"email"}  # The customer's address is asked as `customer`, for the agent.
NOT_FIELDS = {"csrf_token", "lang"}


@bp.get("/tickets/new")
def intake_form():
    me, lang = require_viewer(), language()
    if not is_agent(me):
        return not_found(lang)
    return show_form(me, lang, values={"language": lang})


def show_form(me, lang: str, *, values: dict, errors: dict | None = None, status: int = 200):
    config = services().config
    form = config.form
    listed = {p: name for p, name in config.products.items() if p in me.rights}
    content = render_fragment(
        "desk_intake.html", lang=lang, form=form, values=values, errors=errors or {},
        fields=[f for f in form.fields if f.name not in LEFT_OUT],
        attachments=config.attachments, csrf_token=me.session.csrf,
        choices_for=lambda spec: form.choices(spec, listed), idempotency_key="",
        languages=[("en", "English"), ("nl", "Nederlands"), ("de", "Deutsch")])
    return page(content, title="New ticket for a customer", lang=lang, status=status)


@bp.post("/tickets/new")
def intake_post():
    allow_files(request)
    me, lang = require_viewer(), language()
    if not is_agent(me):
        return not_found(lang)
    data = {k: v for k, v in request.form.items() if k not in NOT_FIELDS and v != ""}
    try:
        receipt = take_phone_ticket(services(), me, data, files=inline_files(request))
    except ValidationFailed as exc:
        return show_form(me, lang, values=request.form.to_dict(),
                         errors=field_messages(exc), status=422)
    return redirect(f"/desk/tickets/{receipt.ticket.number}?lang={lang}", code=303)


__all__ = ["bp", "CUSTOMER_FIELD"]
