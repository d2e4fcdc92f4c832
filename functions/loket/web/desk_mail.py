"""The agent desk's outgoing mail under /desk/mail/: mail that failed or went to a
suppressed address, with the last error and a retry button, and the mail still waiting
for its (next) attempt (services/mail_dispatch.py). Only agents get here, and a mail
about a ticket only for agents who may see that ticket; anyone else gets the same "not
found" page as a missing id.
"""

from __future__ import annotations

from flask import Blueprint, redirect

from loket.domain.errors import Refused, TicketNotFound
from loket.domain.outgoing import OutgoingMail
from loket.services.desk import is_agent, is_desk_admin, open_for_agent
from loket.services.mail_dispatch import retry_mail
from loket.web.auth import require_viewer
from loket.web.current import services
from loket.web.desk_pages import not_found
from loket.web.pages import language, page
from loket.web.rendering import render_fragment

bp = Blueprint("desk_mail", __name__, url_prefix="/desk/mail")
PAGE_SIZE = 100


@bp.get("/")
def list_page():
    me, lang = require_viewer(), language()
    if not is_agent(me):
        return not_found(lang)
    return _show(me, lang)


@bp.post("/<mail_id>/retry")
def retry(mail_id: str):
    me, lang = require_viewer(), language()
    mail = services().store.get_mail(mail_id) if is_agent(me) and mail_id.isalnum() else None
    if mail is None or not _may_see(me, mail):
        return not_found(lang)
    try:
        retry_mail(services(), mail.id)
    except Refused as exc:
        return _show(me, lang, error=exc.detail, status=409)
    return redirect(f"/desk/mail/?lang={lang}", code=303)


def _show(me, lang: str, *, error: str = "", status: int = 200):
    store = services().store
    failed = [m for m in store.list_mail(pending=False, limit=PAGE_SIZE) if _may_see(me, m)]
    waiting = [m for m in store.list_mail(pending=True, limit=PAGE_SIZE) if _may_see(me, m)]
    content = render_fragment("desk_mail.html", lang=lang, viewer=me, failed=failed,
                              waiting=waiting, error=error, csrf_token=me.session.csrf,
                              desk_admin=is_desk_admin(services(), me))
    return page(content, title="Outgoing mail", lang=lang, status=status)


def _may_see(me, mail: OutgoingMail) -> bool:
    """Mail about a ticket: agents of its product. Account mail (invitations, resets)
    names no ticket: every agent may see and resend it, as they invite people."""
    if mail.ticket is None:
        return True
    try:
        open_for_agent(services(), me, mail.ticket)
    except TicketNotFound:
        return False
    return True
