"""The agent desk's refused mail under /desk/refused/: what mail-in did not take in,
with its reason, the mail itself (read, and the original to download) and "take in
anyway" (services/refused_mail.py). Only agents get here; a mail held as a reply to a
ticket is shown only to agents who may see that ticket. Anyone else gets the same
"not found" page as a missing id.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, redirect, request

from loket.domain.errors import TicketNotFound, ValidationFailed
from loket.services.desk import is_agent, open_for_agent
from loket.services.refused_mail import get_refused, list_refused, refused_raw, take_in_anyway
from loket.web.auth import require_viewer
from loket.web.current import services
from loket.web.desk_pages import not_found
from loket.web.pages import field_messages, language, page
from loket.web.rendering import render_fragment

bp = Blueprint("desk_refused", __name__, url_prefix="/desk/refused")
PAGE_SIZE = 50


@bp.get("/")
def list_page():
    me, lang = require_viewer(), language()
    if not is_agent(me):
        return not_found(lang)
    before = _moment(request.args.get("before", ""))
    found = [r for r in list_refused(services(), limit=PAGE_SIZE + 1, before=before)
             if _may_see(me, r)]
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    content = render_fragment(
        "desk_refused.html", lang=lang, viewer=me, refused=found, first=before is None,
        next_before=found[-1].received_at.isoformat() if more else None)
    return page(content, title="Refused mail", lang=lang)


@bp.get("/<refused_id>")
def mail_page(refused_id: str):
    me, lang = require_viewer(), language()
    record = _record(me, refused_id)
    if record is None:
        return not_found(lang)
    return _show(me, record, lang)


@bp.get("/<refused_id>/original.eml")
def original(refused_id: str):
    me = require_viewer()
    record = _record(me, refused_id)
    raw = refused_raw(services(), record) if record is not None else None
    if raw is None:
        return not_found(language())
    # A download, never shown inline: the mail is whatever a stranger sent.
    response = current_app.response_class(raw, mimetype="message/rfc822")
    response.headers["Content-Disposition"] = f'attachment; filename="{record.id}.eml"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<refused_id>/take-in")
def take_in(refused_id: str):
    me, lang = require_viewer(), language()
    record = _record(me, refused_id)
    if record is None:
        return not_found(lang)
    try:
        decision = take_in_anyway(services(), record.id, agent=me.account.email)
    except ValidationFailed as exc:
        return _show(me, record, lang, error=" ".join(field_messages(exc).values()),
                     status=422)
    return redirect(f"/desk/tickets/{decision.ticket}?lang={lang}", code=303)


def _show(me, record, lang: str, *, error: str = "", status: int = 200):
    # Imported here: the mail parser is heavy, and only this page needs it.
    from loket.mail.inbound import read_mail

    raw = refused_raw(services(), record)
    mail = read_mail(raw, screen=False) if raw is not None else None
    content = render_fragment("desk_refused_mail.html", lang=lang, viewer=me, record=record,
                              mail=mail, error=error, csrf_token=me.session.csrf)
    return page(content, title=f"Refused mail: {record.subject or record.id}", lang=lang,
                status=status)


def _record(me, refused_id: str):
    """The refused mail, for an agent who may see it; None for anyone else."""
    if not is_agent(me):
        return None
    try:
        record = get_refused(services(), refused_id)
    except ValidationFailed:
        return None
    return record if _may_see(me, record) else None


def _may_see(me, record) -> bool:
    if record.ticket is None:
        return True
    try:
        open_for_agent(services(), me, record.ticket)
    except TicketNotFound:
        return False
    return True


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else None
