"""The customer portal's account pages under /portal/: sign in and out, accept an
invitation, reset a password, my tickets, e-mail preferences. Server-rendered in the
site's own page shell, plain forms, so they work without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, request

from loket.domain.accounts import Preferences
from loket.domain.errors import Refused, ValidationFailed
from loket.services.access import my_tickets
from loket.services.accounts import (accept_invitation, invitation_for, request_password_reset,
                                     reset_for, reset_password, sign_in)
from loket.services.preferences import set_preferences
from loket.services.sessions import end_session
from loket.web.auth import (check_form_token, clear_session_cookie, form_token,
                            require_viewer, session_cookie_name, viewer)
from loket.web.current import services
from loket.web.i18n import strings
from loket.web.pages import field_messages, language, message_page, page
from loket.web.rendering import render_fragment
from loket.web.second_factor import session_or_second_step
from loket.web.agent_settings import agent_choices, save_agent_choices

bp = Blueprint("account", __name__, url_prefix="/portal")

LOGIN_FIELDS = [("email", "email", "username"), ("password", "password", "current-password")]
NAME_FIELDS = [("first_name", "text", "given-name"), ("last_name", "text", "family-name")]
PASSWORD_FIELDS = [("password", "password", "new-password"),
                   ("password_again", "password", "new-password")]
# Pages whose address holds a secret: never sent on as a Referer.
PRIVATE = {"Referrer-Policy": "no-referrer"}


def client_address() -> str:
    return request.remote_addr or "unknown"


def safe_next(target: str | None, *, agent: bool = False) -> str:
    """Where to go after signing in: a path on this site only, never another host;
    without one, an agent's work is on the desk and a customer's in My tickets."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/desk/" if agent else f"/portal/my-tickets?lang={language()}"


def account_form(*, heading: str, action: str, fields, button: str, intro: str = "",
                 values=None, errors=None, links=(), next_: str = "", status: int = 200,
                 headers=None):
    lang = language()
    content = render_fragment("account_form.html", lang=lang, heading=heading, action=action,
                              fields=fields, button=button, intro=intro, values=values or {},
                              errors=errors or {}, links=links, next=next_,
                              csrf_token=form_token())
    return page(content, title=heading, lang=lang, status=status, headers=headers)


# -- sign in and out -----------------------------------------------------------------------

@bp.get("/login")
def login():
    return login_form(next_=request.args.get("next", ""))


def login_form(*, values=None, errors=None, next_: str = "", status: int = 200):
    t = strings(language())
    return account_form(heading=t["sign_in"], action=f"/portal/login?lang={language()}",
                        fields=LOGIN_FIELDS, button=t["sign_in"], values=values, errors=errors,
                        next_=next_, status=status,
                        links=[(f"/portal/password-reset?lang={language()}", t["forgot_password"])])


@bp.post("/login")
def login_post():
    if viewer() is None:
        check_form_token()
    email, next_ = request.form.get("email", ""), request.form.get("next", "")
    try:
        account = sign_in(services(), email, request.form.get("password"),
                          client_address=client_address())
    except ValidationFailed as exc:
        return login_form(values={"email": email}, errors=field_messages(exc), next_=next_,
                          status=422)
    end_session(services(), request.cookies.get(session_cookie_name()))
    return session_or_second_step(account, safe_next(next_, agent=account.is_agent))


@bp.post("/logout")
def logout():
    end_session(services(), request.cookies.get(session_cookie_name()))
    response = redirect(f"/portal/login?lang={language()}", code=303)
    clear_session_cookie(response)
    return response


# -- invitations and password resets --------------------------------------------------------

@bp.get("/invitations/<secret>")
def invitation(secret: str):
    account = invitation_for(services(), secret)
    if account is None:
        return link_invalid()
    return invitation_form(secret, values={"first_name": account.first_name,
                                           "last_name": account.last_name})


def invitation_form(secret: str, *, values=None, errors=None, status: int = 200):
    t = strings(language())
    intro = t["welcome_intro"].format(length=services().config.accounts.password_min_length)
    return account_form(heading=t["welcome_title"], intro=intro,
                        action=f"/portal/invitations/{secret}?lang={language()}",
                        fields=NAME_FIELDS + PASSWORD_FIELDS, button=t["activate"],
                        values=values, errors=errors, status=status, headers=PRIVATE)


@bp.post("/invitations/<secret>")
def invitation_post(secret: str):
    if viewer() is None:
        check_form_token()
    try:
        account = accept_invitation(services(), secret, request.form.to_dict())
    except ValidationFailed as exc:
        return invitation_form(secret, values=request.form.to_dict(),
                               errors=field_messages(exc), status=422)
    except Refused:
        return link_invalid()
    return session_or_second_step(account, safe_next(None, agent=account.is_agent))


@bp.get("/password-reset")
def password_reset_request():
    return reset_request_form()


def reset_request_form(*, values=None, errors=None, status: int = 200):
    t = strings(language())
    return account_form(heading=t["reset_request_title"], intro=t["reset_request_intro"],
                        action=f"/portal/password-reset?lang={language()}",
                        fields=LOGIN_FIELDS[:1], button=t["reset_request_send"],
                        values=values, errors=errors, status=status)


@bp.post("/password-reset")
def password_reset_request_post():
    if viewer() is None:
        check_form_token()
    email = request.form.get("email", "")
    try:
        request_password_reset(services(), email, client_address=client_address())
    except ValidationFailed as exc:
        return reset_request_form(values={"email": email}, errors=field_messages(exc), status=422)
    t = strings(language())
    return message_page(None, t["reset_sent_text"], None, status=200,
                        title=t["reset_sent_title"])


@bp.get("/password-reset/<secret>")
def password_reset(secret: str):
    if reset_for(services(), secret) is None:
        return link_invalid()
    return reset_form(secret)


def reset_form(secret: str, *, errors=None, status: int = 200):
    t = strings(language())
    return account_form(heading=t["reset_title"],
                        action=f"/portal/password-reset/{secret}?lang={language()}",
                        fields=PASSWORD_FIELDS, button=t["reset_save"], errors=errors,
                        status=status, headers=PRIVATE)


@bp.post("/password-reset/<secret>")
def password_reset_post(secret: str):
    if viewer() is None:
        check_form_token()
    try:
        account = reset_password(services(), secret, request.form.to_dict())
    except ValidationFailed as exc:
        return reset_form(secret, errors=field_messages(exc), status=422)
    except Refused:
        return link_invalid()
    return session_or_second_step(account, safe_next(None, agent=account.is_agent))


def link_invalid():
    t = strings(language())
    return message_page(None, t["link_invalid_text"], None, status=404,
                        title=t["link_invalid_title"], headers=PRIVATE)


# -- my tickets and preferences -----------------------------------------------------------

@bp.get("/my-tickets")
def my_tickets_page():
    me = require_viewer()
    lang = language()
    q, status = request.args.get("q", ""), request.args.get("status", "")
    sort = "oldest" if request.args.get("sort") == "oldest" else "newest"
    after = request.args.get("after", "")
    try:
        listing = my_tickets(services(), me, q=q, status=status, oldest_first=sort == "oldest",
                             after=int(after) if after.isdigit() else None)
    except ValidationFailed as exc:
        return message_page(None, " ".join(field_messages(exc).values()), lang, status=422,
                            title=strings(lang)["errors_intro"])
    config = services().config
    base = {"lang": lang, "q": q, "status": status, "sort": sort}
    content = render_fragment(
        "my_tickets.html", lang=lang, viewer=me, listing=listing, q=q, status=status,
        sort=sort, after=after, status_options=status_options(lang),
        product_name=lambda p: config.products[p].get(lang) if p in config.products else p,
        status_of=config.status,
        first_url="/portal/my-tickets?" + urlencode(base),
        next_url=("/portal/my-tickets?" + urlencode({**base, "after": listing.next_after})
                  if listing.next_after else None))
    return page(content, title=strings(lang)["my_tickets"], lang=lang)


def status_options(lang: str) -> list[tuple[str, str]]:
    t = strings(lang)
    config = services().config
    return [("active", t["status_active"]), ("resolved", t["status_resolved"])] + [
        (status_id, status.label(lang)) for status_id, status in config.statuses.items()]


@bp.get("/account")
def account_page():
    me = require_viewer()
    lang = language()
    saved = request.args.get("saved") == "1"
    prefs = me.account.preferences
    content = render_fragment("preferences.html", lang=lang, viewer=me, saved=saved,
                              prefs={name: getattr(prefs, name) for name in
                                     ("status_changes", "agent_replies", "reminders")},
                              agent=agent_choices(me.account, lang,
                                                  services().config.accounts.agent_note_marker))
    return page(content, title=strings(lang)["account_settings"], lang=lang)


@bp.post("/account")
def account_post():
    me = require_viewer()
    set_preferences(services(), me.account, Preferences(
        **{name: request.form.get(name) == "on"
           for name in ("status_changes", "agent_replies", "reminders")}))
    save_agent_choices(services(), me.account, request.form)  # Agents' desk e-mails (#12).
    return redirect(f"/portal/account?saved=1&lang={language()}", code=303)
