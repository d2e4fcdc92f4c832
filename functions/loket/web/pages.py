"""Server-rendered pages under /portal/ for browsers without JavaScript (and e-mail links)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, request
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from loket.domain.errors import RateLimited, TicketNotFound, ValidationFailed
from loket.domain.forms import ATTACHMENTS, LANGUAGES
from loket.services.access import open_for_customer, open_ticket_as
from loket.services.lookup import view_of
from loket.services.information import FOLLOW_UP, REOPENED, add_information
from loket.services.submission import submit_ticket
from loket.web.auth import form_token, viewer
from loket.web.current import services
from loket.web.field_errors import field_sentence
from loket.web.form_files import files_too_large, make_room_for_files, typed_fields
from loket.web.payloads import form_fields, inline_files, upload_ids
from loket.web.store_outage import RETRY_AFTER, log_outage, store_unavailable
from loket.web.i18n import strings
from loket.web.rendering import render_fragment, render_ticket_form
from loket.web.shell_parts import alternates, header_links

bp = Blueprint("pages", __name__, url_prefix="/portal")
bp.before_request(make_room_for_files)


def page(content: str, *, title: str, lang: str, status: int = 200, headers=None):
    html = current_app.extensions["loket.shell"].wrap(
        content, title=title, lang=lang, header_links=header_links(lang),
        alternates=alternates())
    response = current_app.response_class(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def language(default: str = "en") -> str:
    lang = request.values.get("language") or request.values.get("lang") or default
    return lang if lang in LANGUAGES else default


@bp.post("/tickets")
def submit():
    lang = language()
    data, files = form_fields(request, files=ATTACHMENTS), inline_files(request)
    key = data.pop("idempotency_key", "") or None
    me, posted_token = viewer(), data.pop("csrf_token", "")
    if me is not None and not me.csrf_ok(posted_token):
        # The static form knows no session: show it again, filled in, with the
        # session's token, for the customer to send as themselves.
        return ticket_form_page(lang, values=data, idempotency_key=key or "", status=403)
    try:
        receipt = submit_ticket(services(), data, client_address=request.remote_addr or "unknown",
                                idempotency_key=key, files=files, viewer=me)
    except ValidationFailed as exc:
        return ticket_form_page(lang, values=data, errors=field_messages(exc),
                                idempotency_key=key or "", status=422)
    except RateLimited as exc:
        text = f"{strings(lang)['rate_title']}: {exc}. Retry after {exc.retry_after} s."
        return message_page("rate_title", text, lang, status=429,
                            headers={"Retry-After": str(exc.retry_after)})
    except Exception as exc:
        if not store_unavailable(exc):
            raise
        # Nothing was stored: the form again, filled in with the same key, so a
        # long description is not lost and sending it again makes one ticket.
        log_outage(exc)
        return ticket_form_page(lang, values=data, notice=strings(lang)["unavailable_form"],
                                idempotency_key=key or "", status=503,
                                headers={"Retry-After": str(RETRY_AFTER)})
    status = services().config.status(receipt.ticket.status)
    content = render_fragment("receipt.html", lang=lang, receipt=receipt, status=status)
    return page(content, title=strings(lang)["receipt_title"], lang=lang, status=201)


def ticket_form_page(lang: str, *, values=None, errors=None, idempotency_key: str = "",
                     status: int = 200, notice: str = "", headers=None):
    """The ticket form from the server: for a signed-in customer with their address
    filled in (and fixed), only their products, and the session's CSRF token."""
    me = viewer()
    values = dict(values or {})
    if me is not None:
        values["email"] = me.account.email
    form = render_ticket_form(services().config, lang, values=values, errors=errors,
                              idempotency_key=idempotency_key,
                              products=me.rights if me else None,
                              csrf_token=me.session.csrf if me else "", notice=notice)
    title = strings(lang)["errors_intro"] if errors else strings(lang)["new_ticket"]
    return page(form, title=title, lang=lang, status=status, headers=headers)


@bp.get("/tickets/new")
def new_ticket():
    return ticket_form_page(language())


@bp.get("/tickets/<int:number>")
def show_ticket(number: int):
    asked = language(default="")
    try:
        view = view_of(services(), open_ticket_as(services(), number,
                                                  token=request.args.get("token"),
                                                  viewer=viewer()))
    except TicketNotFound:
        lang = asked or "en"  # Never the ticket's: that would tell it exists.
        return message_page("not_found_title", strings(lang)["not_found_text"], lang, status=404)
    # E-mailed links carry no language: show the ticket in the one it was written in.
    return ticket_page(view, asked or view.ticket.language, token=request.args.get("token", ""),
                       notice=request.args.get("notice", ""))


def notice_text(notice: str, ticket, lang: str) -> str:
    """What became of information added to a finished ticket (services/information.py);
    only these fixed texts, so a link cannot make the page say anything else."""
    if notice == REOPENED:
        return strings(lang)["notice_reopened"]
    if notice == FOLLOW_UP and ticket.follow_up_of is not None:
        return strings(lang)["notice_follow_up"].format(number=ticket.follow_up_of)
    return ""


def ticket_page(view, lang: str, *, token: str, body: str = "", error: str = "", status=200,
                notice: str = ""):
    from loket.web.ticket_pages import actions_of

    # A signed-in viewer's links work by the session: never put the secret in them.
    token = token if view.ticket.opens_with(token) else ""
    me = viewer()
    content = render_fragment("ticket.html", lang=lang, view=view, token=token, body=body,
                              error=error, attachments=services().config.attachments,
                              notice=notice_text(notice, view.ticket, lang),
                              csrf_token=form_token() if me else "",
                              actions=actions_of(view.ticket, token))
    return page(content, title=f"#{view.ticket.number} {view.ticket.subject}", lang=lang,
                status=status)


@bp.post("/tickets/<int:number>/messages")
def add_message(number: int):
    lang = language()
    token = request.args.get("token", "")
    me = viewer()
    try:
        view = view_of(services(), open_for_customer(services(), number, token=token, viewer=me))
    except TicketNotFound:
        return message_page("not_found_title", strings(lang)["not_found_text"], lang, status=404)
    body = request.form.get("body", "")
    author = view.ticket.email if view.ticket.opens_with(token) or me is None \
        else me.account.email
    by_link = view.ticket.opens_with(token)
    try:
        added = add_information(services(), view.ticket, body, author=author,
                                attachments=upload_ids(request), files=inline_files(request),
                                viewer=None if by_link else me,
                                client_address=request.remote_addr or "unknown")
    except ValidationFailed as exc:
        error = " ".join(f"{m}" for m in field_messages(exc).values())
        return ticket_page(view, lang, token=token, body=body, error=error, status=422)
    except RateLimited as exc:  # A follow-up is a new ticket, under the same limits.
        text = f"{strings(lang)['rate_title']}: {exc}. Retry after {exc.retry_after} s."
        return message_page("rate_title", text, lang, status=429,
                            headers={"Retry-After": str(exc.retry_after)})
    if added.outcome == FOLLOW_UP:
        # The follow-up has its own secret link; a token holder is sent there with it.
        token = added.ticket.access_key if by_link else ""
    url = ticket_url(added.ticket, token, lang)
    if added.outcome != "added":
        url += f"&notice={added.outcome}"
    return redirect(url, code=303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    """A form larger than its files may make it: the same page again, in the site's
    shell, with what the customer typed and why the files were refused."""
    typed = typed_fields(request)
    lang = typed.get("language") or request.args.get("lang") or "en"
    lang = lang if lang in LANGUAGES else "en"
    error = files_too_large(lang)
    if request.endpoint == "pages.submit":
        key = typed.pop("idempotency_key", "")
        values = {name: value for name, value in typed.items() if name != "csrf_token"}
        return ticket_form_page(lang, values=values, errors={"attachments": error},
                                idempotency_key=key, status=413)
    if request.endpoint == "pages.add_message":
        token = request.args.get("token", "")
        try:
            view = view_of(services(), open_for_customer(
                services(), request.view_args["number"], token=token, viewer=viewer()))
        except TicketNotFound:
            return message_page("not_found_title", strings(lang)["not_found_text"], lang,
                                status=404)
        return ticket_page(view, lang, token=token, body=typed.get("body", ""), error=error,
                           status=413)
    return message_page("too_large_title", strings(lang)["too_large_text"], lang, status=413)


def ticket_url(ticket, token: str, lang: str) -> str:
    query = {"token": token, "lang": lang} if ticket.opens_with(token) else {"lang": lang}
    return f"/portal/tickets/{ticket.number}?{urlencode(query)}"


def field_messages(exc: ValidationFailed, lang: str | None = None) -> dict[str, str]:
    """Each field's message, a whole sentence in the page's language; a file's
    (attachments[2]) goes with the files' input, since a page shows one message under
    each input."""
    lang = lang or language()
    messages: dict[str, str] = {}
    for error in exc.errors:
        field = error.field.partition("[")[0]
        sentence = field_sentence(field, error.message, lang)
        if sentence not in messages.get(field, ""):
            messages[field] = f"{messages[field]} {sentence}" if field in messages else sentence
    return messages


@bp.get("/lookup")
def lookup():
    number = request.args.get("number", "").strip().lstrip("#")
    token = request.args.get("token", "").strip()
    if not (number.isascii() and number.isdigit() and len(number) <= 19):
        return message_page("not_found_title", strings(language())["not_found_text"],
                            language(), status=404)
    query = urlencode({"token": token, "lang": language()})
    return redirect(f"/portal/tickets/{int(number)}?{query}", code=303)


def message_page(title_key: str | None, text: str, lang: str | None, *, status: int,
                 headers=None, title: str | None = None):
    lang = lang or language()
    t = strings(lang)
    title = title or t[title_key]
    # A fixed link back to the form: never the Referer, which anyone can set (an
    # address elsewhere, or javascript:) and which may hold a ticket's secret link.
    content = render_fragment("message.html", lang=lang, title=title, text=text,
                              back=f"/portal/tickets/new?lang={lang}")
    return page(Markup(content), title=title, lang=lang, status=status, headers=headers)
