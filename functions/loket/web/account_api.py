"""The accounts part of the JSON API: who is signed in, my tickets, ratings, e-mail
preferences, and what agents do here (invite accounts, mark warranty)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from loket.domain.accounts import Preferences, Role
from loket.domain.errors import FieldError, ValidationFailed
from loket.services.plans import mark_warranty
from loket.services.preferences import set_preferences
from loket.web.auth import require_viewer, viewer
from loket.web.converters import ticket_cursor
from loket.web.current import services
from loket.web.payloads import query_language, read_payload

bp = Blueprint("account_api", __name__, url_prefix="/api")


def no_store(body, status: int = 200):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def only(data: dict, allowed: set[str]) -> dict:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed([FieldError(k, "unknown field") for k in unknown])
    return data


@bp.get("/session")
def session():
    """Who is signed in, for the static pages' scripts: the ticket form fills in the
    address and lists only the account's products; state changes send csrf_token."""
    lang = query_language(request, "")
    me = viewer()
    if me is None:
        return no_store({"signed_in": False})
    config = services().config
    lang = lang or me.account.language
    return no_store({
        "signed_in": True, "email": me.account.email, "name": me.account.name,
        "role": me.account.role.value,
        "organization": me.organization.name if me.organization else None,
        "products": [{"id": p, "name": config.products[p].get(lang)}
                     for p in config.products if p in me.rights],
        "csrf_token": me.session.csrf})


@bp.get("/my/tickets")
def list_my_tickets():
    # The services of access come with the first request that asks, not with the API:
    # a cold submission needs none of them (as in web/api.py).
    from loket.services.access import my_tickets

    me = require_viewer()
    listing = my_tickets(services(), me, q=request.args.get("q"),
                         status=request.args.get("status"),
                         oldest_first=request.args.get("sort") == "oldest",
                         after=ticket_cursor(request.args.get("after")))
    lang = query_language(request, me.account.language)
    config = services().config
    return no_store({
        "scope": listing.scope.value, "next_after": listing.next_after,
        "tickets": [{"number": t.number, "subject": t.subject, "product": t.product,
                     "email": t.email, "created_at": t.created_at.isoformat(),
                     "updated_at": t.updated_at.isoformat(),
                     "status": {"id": t.status, "category": config.status(t.status).category.value,
                                "label": config.status(t.status).label(lang)}}
                    for t in listing.tickets]})


@bp.get("/my/preferences")
def get_preferences():
    prefs = require_viewer().account.preferences
    return no_store(preferences_json(prefs))


@bp.put("/my/preferences")
def put_preferences():
    me = require_viewer()
    data = only(read_payload(request), {"status_changes", "agent_replies", "reminders"})
    bad = [FieldError(k, "must be true or false") for k, v in data.items()
           if not isinstance(v, bool)]
    if bad:
        raise ValidationFailed(bad)
    current = me.account.preferences
    prefs = Preferences(**{**preferences_json(current), **data})
    return no_store(preferences_json(set_preferences(services(), me.account, prefs).preferences))


def preferences_json(prefs: Preferences) -> dict:
    return {"status_changes": prefs.status_changes, "agent_replies": prefs.agent_replies,
            "reminders": prefs.reminders}


@bp.post("/tickets/<int:number>/rating")
def rate_ticket(number: int):
    from loket.services.access import open_for_customer

    me = viewer()
    token = request.args.get("token")
    ticket = open_for_customer(services(), number, token=token, viewer=me)
    data = only(read_payload(request), {"rating", "comment"})
    # Imported here, as invite below: the http function's cold start registers this
    # blueprint for every /api/ request, and its first is most often a submission.
    from loket.services.ratings import rate

    rating = rate(services(), ticket, data.get("rating"), data.get("comment"),
                  by=me.account.email if me else ticket.email)
    return no_store({"number": number, "rating": "good" if rating.good else "bad",
                     "comment": rating.comment}, 201)


@bp.post("/tickets/<int:number>/warranty")
def warranty(number: int):
    from loket.services.access import open_ticket_as

    me = require_viewer()
    open_ticket_as(services(), number, viewer=me)
    data = only(read_payload(request), {"warranty"})
    if not isinstance(data.get("warranty"), bool):
        raise ValidationFailed([FieldError("warranty", "must be true or false")])
    ticket = mark_warranty(services(), me, number, data["warranty"])
    return no_store({"number": ticket.number, "warranty": ticket.warranty})


@bp.post("/invitations")
def create_invitation():
    me = require_viewer()
    data = only(read_payload(request), {"email", "organization", "products",
                                        "support_contact", "language"})
    products = data.get("products") or []
    if not isinstance(products, list):
        raise ValidationFailed([FieldError("products", "must be a list of product ids")])
    from loket.services.accounts import invite

    account, _ = invite(services(), data.get("email"), organization=data.get("organization"),
                        products=products, role=Role.CUSTOMER,
                        support_contact=data.get("support_contact") is True,
                        language=data.get("language") or "en", invited_by=me.account)
    return no_store({"email": account.email, "organization": account.organization,
                     "products": sorted(account.products)}, 201)
