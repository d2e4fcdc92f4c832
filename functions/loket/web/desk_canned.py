"""Canned replies on the desk's ticket page (#12), without JavaScript: the reply form's
"Insert" button posts here with what the agent has written and the chosen reply; the
page comes back with the reply added to the text. Nothing is stored or sent. (With
JavaScript, desk.js puts the text in place without a round trip.)"""

from __future__ import annotations

from flask import Blueprint, request

from loket.domain.errors import TicketNotFound, ValidationFailed
from loket.services.canned_replies import insert
from loket.services.desk import open_for_agent
from loket.web.auth import require_viewer
from loket.web.current import services
from loket.web.desk_pages import not_found, show
from loket.web.pages import field_messages, language

bp = Blueprint("desk_canned", __name__, url_prefix="/desk")


@bp.post("/tickets/<int:number>/canned-reply")
def insert_canned_reply(number: int):
    me, lang = require_viewer(), language()
    try:
        ticket = open_for_agent(services(), me, number)
    except TicketNotFound:
        return not_found(lang)
    body = request.form.get("body", "")
    try:
        body = insert(services(), ticket, me.account, request.form.get("canned_reply"), body)
    except ValidationFailed as exc:
        return show(me, ticket, lang, error=" ".join(field_messages(exc).values()),
                    body=body, status=422)
    return show(me, ticket, lang, body=body)
