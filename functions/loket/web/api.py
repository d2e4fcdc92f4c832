"""The JSON API the static pages call: /api/..."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import Blueprint, current_app, jsonify, request, url_for

from loket.domain.errors import FieldError, ValidationFailed
from loket.services.submission import Receipt, submit_ticket
from loket.web.attachments import attachment_json
from loket.web.auth import viewer
from loket.web.current import services, this_request
from loket.web.payloads import query_language, read_payload

if TYPE_CHECKING:
    from loket.services.context import Services
    from loket.services.lookup import TicketView

# The views below import the services of their moves (access, look-up, status...) when
# first called: a cold start's first request is most often a submission, which needs
# none of them (bench/cold_start.py).

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/health")
def health():
    return {"status": "ok"}


@bp.post("/tickets")
def create_ticket():
    asking, found = this_request(), services()  # Each looked up once (web/current.py).
    key = idempotency_key(asking.headers.get("Idempotency-Key"))
    data = read_payload(asking)
    if asking.is_json:
        errors = found.config.form.json_type_errors(data)
        if errors:
            raise ValidationFailed(errors)
    receipt = submit_ticket(found, data,
                            client_address=asking.remote_addr or "unknown",
                            idempotency_key=key,
                            viewer=viewer())
    response = jsonify(receipt_json(receipt, found))
    response.status_code = 201 if receipt.created else 200
    # get_ticket's address, as url_for("api.get_ticket") builds it (under the mount
    # point), without building it through the URL map on every submission.
    response.headers["Location"] = f"{asking.script_root}/api/tickets/{receipt.ticket.number}"
    response.headers["Cache-Control"] = "no-store"
    if not receipt.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/tickets/<int:number>")
def get_ticket(number: int):
    from loket.services.access import open_ticket_as
    from loket.services.lookup import view_of

    lang = query_language(request, "")  # Checked first: it tells nothing about the ticket.
    ticket = open_ticket_as(services(), number, token=request.args.get("token"),
                            viewer=viewer())
    view = view_of(services(), ticket)
    response = jsonify(ticket_json(view, lang or view.ticket.language))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/tickets/<int:number>/messages")
def add_message(number: int):
    from loket.services.access import open_for_customer
    from loket.services.information import FOLLOW_UP, add_information
    from loket.services.lookup import view_of

    me = viewer()
    ticket = open_for_customer(services(), number, token=request.args.get("token"), viewer=me)
    data = read_payload(request)
    unknown = sorted(set(data) - {"body", "attachments"})
    if unknown:
        raise ValidationFailed([FieldError(k, "unknown field") for k in unknown])
    by_link = ticket.opens_with(request.args.get("token"))
    author = me.account.email if me and not by_link else ticket.email
    added = add_information(services(), ticket, data.get("body"), author=author,
                            attachments=data.get("attachments"),
                            viewer=None if by_link else me,
                            client_address=request.remote_addr or "unknown")
    # "outcome" says what became of it: added, reopened, or a follow-up ticket (whose
    # own secret link goes to whoever came with the old one's).
    body = {**ticket_json(view_of(services(), added.ticket), added.ticket.language),
            "outcome": added.outcome}
    response = jsonify(body)
    if added.outcome == FOLLOW_UP:
        body["follow_up_of"] = added.follow_up_of
        if by_link:
            body["token"] = added.ticket.access_key
        response = jsonify(body)
        response.headers["Location"] = url_for("api.get_ticket", number=added.ticket.number)
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")


def idempotency_key(value: str | None) -> str | None:
    """The Idempotency-Key header: 1 to 255 visible ASCII characters, as documented."""
    if value is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(value):
        raise ValidationFailed([FieldError("Idempotency-Key", "must be 1 to 255 visible "
                                                              "ASCII characters")])
    return value


# The customer's own moves (functions of services/status.py, imported on the first
# one); the workflow says from which statuses each is possible.
CUSTOMER_ACTIONS = {"close": "close_ticket", "reopen": "reopen_ticket",
                    "reject": "reject_solution"}


@bp.post("/tickets/<int:number>/close", endpoint="close_ticket", defaults={"action": "close"})
@bp.post("/tickets/<int:number>/reopen", endpoint="reopen_ticket",
         defaults={"action": "reopen"})
@bp.post("/tickets/<int:number>/reject", endpoint="reject_solution",
         defaults={"action": "reject"})
def customer_action(number: int, action: str):
    from loket.services.access import open_for_customer
    from loket.services.lookup import view_of

    ticket = open_for_customer(services(), number, token=request.args.get("token"),
                               viewer=viewer())
    data = read_payload(request) if request.content_length else {}
    unknown = sorted(set(data) - {"body"})
    if unknown:
        raise ValidationFailed([FieldError(k, "unknown field") for k in unknown])
    if action == "reopen":
        return reopen(ticket, data.get("body"))
    from loket.services import status

    move = getattr(status, CUSTOMER_ACTIONS[action])
    ticket = move(services(), number, body=data.get("body"), ticket=ticket)
    response = jsonify(ticket_json(view_of(services(), ticket), ticket.language))
    response.headers["Cache-Control"] = "no-store"
    return response


def reopen(ticket, body):
    """Reopen within the configured period; after it, a follow-up ticket (201, with
    its own secret link for whoever came with the old one's)."""
    from loket.services.followups import reopen_or_follow_up
    from loket.services.lookup import view_of

    token = request.args.get("token")
    by_link = ticket.opens_with(token)
    done = reopen_or_follow_up(services(), ticket, body=body,
                               viewer=None if by_link else viewer(),
                               client_address=request.remote_addr or "unknown")
    body_json = ticket_json(view_of(services(), done.ticket), done.ticket.language)
    if done.follow_up:
        body_json["follow_up_of"] = ticket.number
        if by_link:
            body_json["token"] = done.ticket.access_key
    response = jsonify(body_json)
    response.headers["Cache-Control"] = "no-store"
    if done.follow_up:
        response.status_code = 201
        response.headers["Location"] = url_for("api.get_ticket", number=done.ticket.number)
    return response


def status_json(status, lang: str) -> dict:
    return {"id": status.id, "category": status.category.value, "label": status.label(lang)}


def receipt_json(receipt: Receipt, found: Services) -> dict:
    ticket = receipt.ticket
    status = found.config.status(ticket.status)
    return {"number": ticket.number, "subject": ticket.subject,
            "status": status_json(status, ticket.language),
            "lookup_url": receipt.lookup_url, "token": ticket.access_key,
            **({"notice": receipt.notice} if receipt.notice else {})}


def ticket_json(view: TicketView, lang: str) -> dict:
    ticket = view.ticket
    # Links carry the token only for whoever came with it: a signed-in viewer's links
    # work by their session, and never hand a colleague the ticket's secret.
    token = request.args.get("token")
    token = token if ticket.opens_with(token) else None
    return {
        "number": ticket.number, "subject": ticket.subject, "product": ticket.product,
        "type": ticket.type, "status": status_json(view.status, lang),
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "fields": ticket.fields,
        "messages": [{"role": m.role.value, "body": m.body,
                      "created_at": m.created_at.isoformat(),
                      "attachments": [attachment_json(ticket.number, token, a)
                                      for a in m.attachments]} for m in view.messages],
    }


@bp.get("/openapi.yaml")
def openapi():
    """The document made from the live configuration (web/openapi.py), once per app."""
    from loket.web.openapi import document_yaml

    spec = current_app.extensions.get("loket.openapi")
    if spec is None:
        spec = current_app.extensions["loket.openapi"] = document_yaml(services().config)
    return current_app.response_class(spec, mimetype="application/yaml")
