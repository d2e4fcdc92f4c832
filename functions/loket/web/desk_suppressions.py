"""Suppressed addresses on the desk, under /desk/mail/suppressions/: the list, and the
lift: a desk admin (portal.yml accounts.desk_admins) says why an address that bounced
hard or complained may get mail again, and services/suppressions.lift_suppression (the same as `loket mail
unsuppress`) lifts it and keeps the record with who, when and why.

Anyone but an agent gets the desk's "not found" page, as on every desk page; an agent
who is not a desk admin gets 403 saying who may do it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, request

from loket.domain.email_address import could_be_address
from loket.domain.errors import Refused, TicketNotFound
from loket.domain.text import has_visible_character, multi_line
from loket.services.desk import open_for_agent
from loket.services.suppressions import lift_suppression, may_lift
from loket.web.converters import ticket_back_link
from loket.web.current import services
from loket.web.desk_admin import desk_admin_view
from loket.web.pages import page
from loket.web.rendering import render_fragment

bp = Blueprint("desk_suppressions", __name__, url_prefix="/desk/mail/suppressions")
PAGE_SIZE = 200
NOTE_MAX = 500
NOTE_MISSING = ("Say why mail may go to this address again, for example "
                "\u201cthe customer fixed their mailbox\u201d: it is kept with the record.")
NOTE_TOO_LONG = "Say it in at most {max} characters ({length} now)."
# How much of a wrong address the page repeats.
SHOWN = 80


def _forbidden(me, lang: str):
    """The 403 page for an agent who may not lift suppressions: who may."""
    content = render_fragment("desk_suppression_lift.html", lang=lang, forbidden=True,
                              admins=services().config.accounts.desk_admins,
                              back=_ticket(me, request.values))
    return page(content, title="Only desk admins lift suppressions", lang=lang, status=403)


desk_admins_only = desk_admin_view(_forbidden, may=may_lift)


@bp.get("/")
@desk_admins_only
def list_page(me, lang: str):
    """Every suppressed address, newest first, each with its Lift button."""
    content = render_fragment("desk_suppressions.html", lang=lang, viewer=me,
                              suppressions=services().store.list_suppressions(PAGE_SIZE),
                              page_size=PAGE_SIZE)
    return page(content, title="Suppressed addresses", lang=lang)


@bp.get("/lift")
@desk_admins_only
def lift_form(me, lang: str):
    return _show(me, lang, request.args.get("address", ""), _ticket(me, request.args))


@bp.post("/lift")
@desk_admins_only
def lift(me, lang: str):
    address, note = request.form.get("address", ""), multi_line(request.form.get("note", ""))
    ticket = _ticket(me, request.form)
    note_error = (NOTE_MISSING if not has_visible_character(note) else
                  NOTE_TOO_LONG.format(max=NOTE_MAX, length=len(note))
                  if len(note) > NOTE_MAX else "")
    if note_error or not _is_address(address):
        return _show(me, lang, address, ticket, note_error=note_error, status=422)
    try:
        lift_suppression(services(), address, by=me.account.email, note=note)
    except Refused as exc:  # Not an address, or not suppressed (any more).
        return _show(me, lang, address, ticket, error=exc.detail, status=409)
    if ticket is None:
        return redirect("/desk/mail/suppressions/?" + urlencode({"lang": lang}), code=303)
    return redirect(f"/desk/tickets/{ticket}?" + urlencode({"lang": lang, "lifted": "1"}),
                    code=303)


def _ticket(me, values) -> int | None:
    """The ticket the admin came from, to go back to; only one they may open."""
    number = ticket_back_link(values.get("ticket", ""))
    if number is None:
        return None
    try:
        return open_for_agent(services(), me, number).number
    except TicketNotFound:
        return None


def _is_address(address: str) -> bool:
    return could_be_address(address.strip())


def _show(me, lang: str, address: str, ticket: int | None, *, error: str = "",
          note_error: str = "", status: int = 200):
    store = services().store
    suppression = store.get_suppression(address) if _is_address(address) else None
    if not _is_address(address):
        shown = address if len(address) <= SHOWN else address[:SHOWN] + "\u2026"
        error = (f"{shown!r} is not an e-mail address." if address.strip() else
                 "No address: open the lift from the list of suppressed addresses.")
        status = 422
    elif suppression is None and not error:
        error = f"{address} is not suppressed: mail already goes to it."
        status = 409 if request.method == "POST" else status
    content = render_fragment(
        "desk_suppression_lift.html", lang=lang, viewer=me, address=address, ticket=ticket,
        suppression=suppression, error=error, note_error=note_error,
        note=request.form.get("note", ""), note_max=NOTE_MAX, csrf_token=me.session.csrf,
        forbidden=False)
    return page(content, title="Lift a suppression", lang=lang, status=status)
