"""'This affects me too' (#16): a known issue's page on the site has a plain form (GET,
no script) that leads here. Signed in, the customer picks one of their open tickets of
the issue's product, or a new one, and posts (with the session's CSRF token): the
ticket is linked to the issue (services/known_issues.py) and they hear when the fix
is out. Customers see only issues of products their account has rights to; anything
else (an unknown issue, another product's, an agent) answers as a missing page.

Signed out, the page asks for an e-mail address instead (double-submit form token) and
e-mails a signed link (services/known_issue_by_mail.py); the link's page has one
button that links their open ticket of the product, or a new one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, redirect, request

from loket.domain.errors import TicketNotFound, ValidationFailed
from loket.domain.events import Actor
from loket.domain.known_issues import (CATALOG_FILE, EMPTY, ISSUE_ID, Catalog, KnownIssue,
                                       KnownIssueMissing, load_catalog)
from loket.domain.tickets import AuthorRole
from loket.locale import N_, gettext_in
from loket.mail.known_issues import site_url
from loket.services.access import my_tickets, open_for_customer
from loket.services.known_issues import link_ticket
from loket.services.submission import submit_ticket
from loket.services.known_issue_by_mail import (LinkInvalid, ask_to_confirm,
                                                confirmed_address, link_by_address)
from loket.web.auth import check_form_token, form_token, require_viewer, viewer
from loket.web.current import services
from loket.web.i18n import strings
from loket.web.pages import field_messages, language, message_page, page
from loket.web.rendering import render_fragment

bp = Blueprint("known_issue_pages", __name__, url_prefix="/portal")
NEW = "new"
# A new ticket made from the issue's page: a problem report about the issue.
NEW_TICKET_TYPE = "problem-report"
# English, translated by the catalogs (loket/locale/; `make translations`).
WORDS_MESSAGES = {
    "title": N_("This affects me too"),
    "which": N_("Which ticket is about this problem?"),
    "new": N_("A new ticket about this problem"),
    "submit": N_("Link my ticket"),
    "intro": N_("We link your ticket to the known issue: you are e-mailed the workaround now"
                " and hear from us when the release that fixes it is out."),
    "text": N_("This affects me too: {url}"),
    "by_mail_intro": N_("Give your e-mail address: we send you a link, and following it "
                        "links your open ticket about this product, or a new one."),
    "email": N_("Your e-mail address"),
    "by_mail_submit": N_("Send me the link"),
    "sign_in": N_("Or sign in to choose one of your tickets"),
    "sent_title": N_("Check your e-mail"),
    "sent_text": N_("We sent a link to {email}. Follow it within {days} days to link "
                    "your ticket to this known issue."),
    "confirm_intro": N_("Link the open ticket of {email} about this product to the known "
                        "issue, or a new ticket when there is none."),
    "confirm_submit": N_("Yes, this affects me"),
    "linked_title": N_("Your ticket is linked"),
    "linked_text": N_("Ticket #{number} is linked to {issue}. We e-mailed you the "
                      "workaround, and you hear from us when the fix is released."),
    "link_invalid": N_("This link is not valid, or is too old. Ask for a new one on the "
                       "known issue's page."),
}


def catalog() -> Catalog:
    """The catalog of the site the app serves, else the one beside the search index
    (the AWS function ships the index, not the site)."""
    places = [current_app.config.get("LOKET_SITE_DIR"),
              getattr(services().search, "path", None)]
    for place in places:
        path = Path(place) / CATALOG_FILE if place else None
        if path is not None and path.is_file():
            return _read(path, path.stat().st_mtime_ns)
    return EMPTY


@lru_cache(maxsize=4)
def _read(path: Path, _modified: int) -> Catalog:
    return load_catalog(path.parent)


@bp.get("/known-issues/<issue_id>")
def affects_me_page(issue_id: str):
    if viewer() is None:
        return _by_mail_page(issue_id, language())
    me, lang = require_viewer(), language()
    issue = _visible_issue(me, issue_id)
    if issue is None:
        return _not_found(lang)
    return _page(me, issue, lang)


@bp.post("/known-issues/<issue_id>/affects-me")
def affects_me(issue_id: str):
    me, lang = require_viewer(), language()
    issue = _visible_issue(me, issue_id)
    if issue is None:
        return _not_found(lang)
    chosen = request.form.get("ticket", "").strip()
    try:
        number = _new_ticket(me, issue, lang) if chosen == NEW else _own_ticket(me, chosen)
        link_ticket(services(), number, issue, by=Actor(me.account.email, AuthorRole.CUSTOMER))
    except TicketNotFound:
        return _not_found(lang)
    except ValidationFailed as exc:
        return _page(me, issue, lang, error=" ".join(field_messages(exc).values()),
                     status=422)
    return redirect(f"/portal/tickets/{number}?lang={lang}", code=303)


@bp.post("/known-issues/<issue_id>/by-mail")
def affects_me_by_mail(issue_id: str):
    lang = language()
    issue = _public_issue(issue_id)
    if issue is None:
        return _not_found(lang)
    check_form_token()
    email = request.form.get("email", "")
    try:
        email = ask_to_confirm(services(), issue, email, lang,
                               client_address=request.remote_addr or "unknown")
    except ValidationFailed as exc:
        return _by_mail_page(issue_id, lang, email=email,
                             error=" ".join(field_messages(exc).values()), status=422)
    words = words_in(lang)
    from loket.services.known_issue_by_mail import VALID_FOR

    return message_page(None, words["sent_text"].format(email=email, days=VALID_FOR.days),
                        lang, status=200, title=words["sent_title"])


@bp.get("/known-issues/<issue_id>/confirm/<token>")
def confirm_page(issue_id: str, token: str):
    lang = language()
    issue = _public_issue(issue_id)
    if issue is None:
        return _not_found(lang)
    try:
        email = confirmed_address(services(), issue, token)
    except LinkInvalid:
        return _link_invalid(lang)
    words = words_in(lang)
    content = render_fragment("known_issue_by_mail.html", lang=lang, issue=issue, words=words,
                              csrf_token=form_token(), issue_url=issue.url(lang),
                              intro=words["confirm_intro"].format(email=email),
                              button=words["confirm_submit"], confirm=True, error="",
                              email=email, sign_in="",
                              action=f"/portal/known-issues/{issue.id}/confirm/{token}"
                                     f"?lang={lang}")
    return page(content, title=f"{issue.id}: {words['title']}", lang=lang)


@bp.post("/known-issues/<issue_id>/confirm/<token>")
def confirm(issue_id: str, token: str):
    lang = language()
    issue = _public_issue(issue_id)
    if issue is None:
        return _not_found(lang)
    check_form_token()
    try:
        email = confirmed_address(services(), issue, token)
        number = link_by_address(services(), issue, email,
                                 new_ticket=new_ticket_data(issue, email, lang),
                                 client_address=request.remote_addr or "unknown")
    except LinkInvalid:
        return _link_invalid(lang)
    except TicketNotFound:
        return _not_found(lang)
    words = words_in(lang)
    return message_page(None, words["linked_text"].format(number=number, issue=issue.id),
                        lang, status=200, title=words["linked_title"])


def _by_mail_page(issue_id: str, lang: str, *, email: str = "", error: str = "",
                  status: int = 200):
    issue = _public_issue(issue_id)
    if issue is None:
        return _not_found(lang)
    words = words_in(lang)
    content = render_fragment("known_issue_by_mail.html", lang=lang, issue=issue, words=words,
                              csrf_token=form_token(), issue_url=issue.url(lang), email=email,
                              error=error, intro=words["by_mail_intro"],
                              button=words["by_mail_submit"], confirm=False,
                              action=f"/portal/known-issues/{issue.id}/by-mail?lang={lang}",
                              sign_in=f"/portal/login?lang={lang}&next=/portal/known-issues/"
                                      f"{issue.id}")
    return page(content, title=f"{issue.id}: {words['title']}", lang=lang, status=status)


def _public_issue(issue_id: str) -> KnownIssue | None:
    """Any issue the site publishes (its page is public): the e-mailed link proves the
    address, and the account behind it, if any, brings its rights."""
    if not ISSUE_ID.match(issue_id):
        return None
    try:
        return catalog().get(issue_id)
    except KnownIssueMissing:
        return None


def _link_invalid(lang: str):
    return message_page("not_found_title", words_in(lang)["link_invalid"], lang, status=404)


def _visible_issue(me, issue_id: str) -> KnownIssue | None:
    if me.account.is_agent or not ISSUE_ID.match(issue_id):
        return None
    try:
        issue = catalog().get(issue_id)
    except KnownIssueMissing:
        return None
    return issue if issue.product in me.rights or issue.product == "all" else None


def _own_ticket(me, chosen: str) -> int:
    if not (chosen.isdigit() and len(chosen) <= 19):
        raise ValidationFailed([_ticket_error()])
    return open_for_customer(services(), int(chosen), viewer=me).number


def _ticket_error():
    from loket.domain.errors import FieldError

    return FieldError("ticket", "is required")


def _new_ticket(me, issue: KnownIssue, lang: str) -> int:
    receipt = submit_ticket(services(), new_ticket_data(issue, me.account.email, lang),
                            client_address=request.remote_addr or "", viewer=me)
    return receipt.ticket.number


def new_ticket_data(issue: KnownIssue, email: str, lang: str) -> dict:
    """A new ticket about the issue: a problem report that links to its page."""
    words = words_in(lang)
    return {"email": email, "product": issue.product, "type": NEW_TICKET_TYPE,
            "subject": f"{issue.id} {issue.title(lang)}"[:200],
            "description": words["text"].format(url=site_url(services(), issue.url(lang)))}


def _page(me, issue: KnownIssue, lang: str, *, error: str = "", status: int = 200):
    words = words_in(lang)
    open_tickets = [t for t in my_tickets(services(), me, status="active").tickets
                    if t.product == issue.product]
    content = render_fragment("known_issue_affects.html", lang=lang, issue=issue, words=words,
                              tickets=open_tickets, csrf_token=form_token(), error=error,
                              issue_url=issue.url(lang), new=NEW)
    return page(content, title=f"{issue.id}: {words['title']}", lang=lang, status=status)


def _not_found(lang: str):
    return message_page("not_found_title", strings(lang)["not_found_text"], lang, status=404)


def words_in(lang: str) -> dict[str, str]:
    return {name: gettext_in(lang, message) for name, message in WORDS_MESSAGES.items()}
