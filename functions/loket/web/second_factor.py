"""The second sign-in step for agents (services/totp.py), under /portal/second-factor.

After a right password an agent who must use a second factor gets a pending-sign-in
cookie instead of a session. This page asks for the code; the first time it shows
the QR code (an SVG served from its own address: no inline image, no script) and
the key as text, and after the first right code the recovery codes, once.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, request

from loket.domain.accounts import Account
from loket.domain.errors import Refused, ValidationFailed
from loket.locale import N_, gettext_in
from loket.services import totp
from loket.services.sessions import start_session
from loket.web.auth import (check_form_token, form_token, secure_cookies, set_session_cookie,
                            viewer)
from loket.web.current import services
from loket.web.pages import field_messages, language, message_page, page
from loket.web.rendering import render_fragment

bp = Blueprint("second_factor", __name__, url_prefix="/portal/second-factor")
PENDING_COOKIE = "loket_second_factor"
# The page holds the authenticator key or recovery codes: never cached, never a Referer.
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

# English, translated by the catalogs (loket/locale/; `make translations`).
TEXT_MESSAGES = {
    "title": N_("Second step of signing in"),
    "setup_title": N_("Set up your authenticator app"),
    "setup_intro": N_("Agents sign in with a code from an authenticator app as well. Scan "
                      "this code with the app (or type the key below), then enter the "
                      "six-digit code it shows."),
    "key": N_("Key"),
    "qr_alt": N_("QR code to set up the authenticator app"),
    "enter_intro": N_("Enter the six-digit code from your authenticator app, or one of your "
                      "recovery codes."),
    "code": N_("Code"),
    "send": N_("Continue"),
    "codes_title": N_("Your recovery codes"),
    "codes_intro": N_("Each of these codes signs you in once when your phone is not at hand."
                      " Keep them somewhere safe: this is the only time they are shown."),
    "codes_done": N_("I have kept them: go on"),
    "expired": N_("The sign-in took too long or was finished already. Sign in again."),
    "expired_title": N_("Sign in again"),
}




def pending_cookie_name() -> str:
    return f"__Host-{PENDING_COOKIE}" if secure_cookies() else PENDING_COOKIE


def session_or_second_step(account: Account, target: str) -> Response:
    """After a right password: the session, or for an agent who must use a second
    factor the second step (the session starts there)."""
    if not totp.required_for(services(), account):
        secret, _ = start_session(services(), account)
        response = redirect(target, code=303)
        set_session_cookie(response, secret)
        return response
    secret = totp.begin(services(), account)
    query = urlencode({"next": target, "lang": language()})
    response = redirect(f"{bp.url_prefix}?{query}", code=303)
    # Path / (not this page's path): a __Host- cookie must be set for the whole site.
    response.set_cookie(pending_cookie_name(), secret, max_age=totp.PENDING_MINUTES * 60,
                        path="/", secure=secure_cookies(), httponly=True, samesite="Lax")
    return response


def _pending() -> totp.Pending | None:
    return totp.pending(services(), request.cookies.get(pending_cookie_name()))


@bp.get("")
def second_step():
    found = _pending()
    if found is None:
        return expired()
    return code_form(found, next_=request.args.get("next", ""))


def code_form(found: totp.Pending, *, next_: str, error: str = "", status: int = 200):
    lang = language()
    s = text(lang)
    content = render_fragment(
        "second_factor.html", lang=lang, s=s, setting_up=found.setting_up,
        key=" ".join(found.account.second_factor.secret[i:i + 4]
                     for i in range(0, len(found.account.second_factor.secret), 4)),
        qr_url=f"{bp.url_prefix}/qr.svg", action=f"{bp.url_prefix}?lang={lang}",
        next=next_, error=error, csrf_token=form_token())
    title = s["setup_title"] if found.setting_up else s["title"]
    return page(content, title=title, lang=lang, status=status, headers=PRIVATE)


@bp.get("/qr.svg")
def qr_code():
    """The set-up QR code; only while an authenticator is being set up."""
    found = _pending()
    if found is None or not found.setting_up:
        return expired()
    svg = totp.qr_svg(totp.setup_uri(services(), found.account))
    return Response(svg, mimetype="image/svg+xml", headers=PRIVATE)


@bp.post("")
def second_step_post():
    from loket.web.account_pages import client_address, safe_next

    if viewer() is None:  # A signed-in browser's token was checked before (web/auth.py).
        check_form_token()
    next_ = request.form.get("next", "")
    found = _pending()
    if found is None:
        return expired()
    try:
        account, codes = totp.finish(services(), request.cookies.get(pending_cookie_name()),
                                     request.form.get("code"), client_address=client_address())
    except ValidationFailed as exc:
        return code_form(found, next_=next_, error=field_messages(exc).get("code", ""),
                         status=422)
    except Refused:
        return expired()
    target = safe_next(next_, agent=True)
    secret, _ = start_session(services(), account)
    response = recovery_codes_page(codes, target) if codes else redirect(target, code=303)
    set_session_cookie(response, secret)
    response.delete_cookie(pending_cookie_name(), path="/", secure=secure_cookies(),
                           httponly=True, samesite="Lax")
    return response


def recovery_codes_page(codes: list[str], target: str) -> Response:
    lang = language()
    s = text(lang)
    content = render_fragment("recovery_codes.html", lang=lang, s=s, codes=codes,
                              target=target)
    return page(content, title=s["codes_title"], lang=lang, headers=PRIVATE)


def expired() -> Response:
    s = text(language())
    response = message_page(None, s["expired"], None, status=404, title=s["expired_title"],
                            headers=PRIVATE)
    return response


def text(lang: str) -> dict[str, str]:
    return {name: gettext_in(lang, message) for name, message in TEXT_MESSAGES.items()}
