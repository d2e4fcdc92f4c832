"""A person on the desk, under /desk/people/: look someone up by address, see what the
portal holds of them, and erase it (services/erase_jobs.py).

The erase action is a desk admin's (portal.yml accounts.desk_admins), as lifting a
suppression is: the confirmation page says exactly what will go, the admin types the
address again, and the desk records an erase job and answers at once ("Erase queued");
the sweeper does the work, chunk by chunk, and the list of erasures shows each job's
state and, when done, what went: never the address (only who asked and the counts).

Anyone but an agent gets the desk's "not found" page, as on every desk page; an agent who
is not a desk admin gets 403 saying who may do it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, request

from loket.domain.errors import ValidationFailed
from loket.services.erase_jobs import preview, request_erase
from loket.web.converters import ticket_back_link
from loket.web.current import services
from loket.web.desk_admin import desk_admin_view
from loket.web.pages import field_messages, page
from loket.web.rendering import render_fragment

bp = Blueprint("desk_people", __name__, url_prefix="/desk/people")
JOBS_SHOWN = 50
MESSAGES_CHOICE = "Choose whether their messages' text stays or goes."


def _forbidden(me, lang: str):
    """The 403 page for an agent who is not a desk admin: who may erase."""
    content = render_fragment("desk_person.html", lang=lang, forbidden=True,
                              admins=services().config.accounts.desk_admins,
                              address="", found=None, error="", ticket=None)
    return page(content, title="Only desk admins erase people's data", lang=lang, status=403)


desk_admins_only = desk_admin_view(_forbidden)


@bp.get("/")
@desk_admins_only
def person_page(me, lang: str):
    address, found, error = request.args.get("address", "").strip(), None, ""
    if address:
        try:
            found = preview(services(), address)
        except ValidationFailed as exc:
            error = " ".join(field_messages(exc).values())
    content = render_fragment("desk_person.html", lang=lang, address=address, found=found,
                              error=error, ticket=_ticket(request.args), forbidden=False)
    return page(content, title="Look up a person", lang=lang, status=422 if error else 200)


@bp.get("/erase")
@desk_admins_only
def confirm_page(me, lang: str):
    return _confirm(me, lang, request.args.get("address", ""), messages=False,
                    ticket=_ticket(request.args))


@bp.post("/erase")
@desk_admins_only
def erase(me, lang: str):
    form, ticket = request.form, _ticket(request.form)
    messages = form.get("messages", "no") == "yes"
    if form.get("messages", "no") not in ("yes", "no"):
        return _confirm(me, lang, form.get("address", ""), messages=False, ticket=ticket,
                        errors={"messages": MESSAGES_CHOICE}, status=422)
    try:
        job = request_erase(services(), form.get("address", ""), confirm=form.get("confirm", ""),
                            messages=messages, requested_by=me.account.email)
    except ValidationFailed as exc:
        return _confirm(me, lang, form.get("address", ""), messages=messages, ticket=ticket,
                        errors=field_messages(exc), status=422)
    # The list shows the job queued, with the way back to the ticket the admin came from.
    back = {"ticket": ticket} if ticket else {}
    return redirect("/desk/people/erasures?" + urlencode({"lang": lang, "queued": job.id,
                                                          **back}), code=303)


@bp.get("/erasures")
@desk_admins_only
def jobs_page(me, lang: str):
    jobs = services().store.list_erase_jobs(limit=JOBS_SHOWN)
    queued = request.args.get("queued", "")
    content = render_fragment("desk_erasures.html", lang=lang, jobs=jobs, shown=JOBS_SHOWN,
                              queued=next((j for j in jobs if j.id == queued), None),
                              ticket=_ticket(request.args))
    return page(content, title="Erasures", lang=lang)


def _confirm(me, lang: str, address: str, *, messages: bool, ticket: int | None,
             errors: dict | None = None, status: int = 200):
    try:
        found = preview(services(), address)
    except ValidationFailed as exc:
        return _bad_address(lang, address, exc, ticket)
    content = render_fragment("desk_erase.html", lang=lang, found=found, messages=messages,
                              ticket=ticket, errors=errors or {}, csrf_token=me.session.csrf,
                              confirm=request.form.get("confirm", ""))
    return page(content, title="Erase a person's data", lang=lang, status=status)


def _bad_address(lang: str, address: str, exc: ValidationFailed, ticket: int | None):
    content = render_fragment("desk_person.html", lang=lang, address=address, found=None,
                              error=" ".join(field_messages(exc).values()), ticket=ticket,
                              forbidden=False)
    return page(content, title="Look up a person", lang=lang, status=422)


def _ticket(values) -> int | None:
    """The ticket the admin came from, for the way back (its page checks their rights)."""
    return ticket_back_link(values.get("ticket", ""))

