"""Who is asking, at the edge: the session cookie, and CSRF checks on every state change.

- The session cookie is HttpOnly and SameSite=Lax, Secure (with the __Host- prefix)
  whenever the portal runs on https; it holds a random secret, the store its hash.
- Every POST/PUT/PATCH/DELETE that arrives with a valid session must carry that
  session's CSRF token: the form field `csrf_token` (pages) or the X-CSRF-Token header
  (the API; portal.js reads the token from GET /api/session). Without it the request
  is refused and changes nothing.
- Forms used before there is a session (sign in, accept an invitation, reset a
  password) carry a token that must equal a cookie of the same value (double submit).
- Requests without a session act on their own authority (a ticket's secret link, or
  none: an anonymous submission) and need no token: there is no ambient right a
  forged request could borrow.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, after_this_request, current_app, g, request
from flask.sessions import SessionInterface

from loket.domain.access_keys import same_secret
from loket.domain.errors import Refused, SignInRequired
from loket.services.sessions import Viewer, viewer_of
from loket.web.current import request_globals, this_request
from loket.web.current import services as current_services
from loket.web.payloads import FORM_TYPES, allow_files

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Endpoints whose requests carry their own proof (a signed upload form) and are posted
# by scripts that cannot add a header (S3-style upload forms).
CSRF_EXEMPT = frozenset({"attachments.receive_file"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def secure_cookies() -> bool:
    return bool(current_app.config.get("LOKET_SECURE_COOKIES"))


SESSION_COOKIE = "loket_session"
SIGNED_IN_HINT = "loket_signed_in"
FORM_COOKIE = "loket_form"


def session_cookie_name() -> str:
    # __Host-: only ever set by this host, over https, for the whole site.
    return f"__Host-{SESSION_COOKIE}" if secure_cookies() else SESSION_COOKIE


def form_cookie_name() -> str:
    return f"__Host-{FORM_COOKIE}" if secure_cookies() else FORM_COOKIE


def viewer() -> Viewer | None:
    """The signed-in viewer of this request, read once (three store reads) and only
    when a session cookie came along."""
    found = request_globals()
    if "loket_viewer" not in found:
        asking = this_request()
        # No Cookie header (an anonymous API call): nobody, without parsing cookies.
        found.loket_viewer = viewer_of(current_services(), asking.cookies.get(
            session_cookie_name())) if "HTTP_COOKIE" in asking.environ else None
    return found.loket_viewer


def require_viewer() -> Viewer:
    found = viewer()
    if found is None:
        raise SignInRequired()
    return found


def form_token() -> str:
    """The token a server-rendered form carries: the session's, or before signing in
    the double-submit one (its cookie is set on the way out)."""
    found = viewer()
    if found is not None:
        return found.session.csrf
    if "loket_form_token" not in g:
        g.loket_form_token = request.cookies.get(form_cookie_name()) or secrets.token_urlsafe(32)
        # Only a request that made a form gives the cookie (not a hook on every answer).
        after_this_request(_set_form_cookie)
    return g.loket_form_token


def _set_form_cookie(response: Response) -> Response:
    """The double-submit cookie of form_token's token, when the request came without it."""
    token = g.get("loket_form_token")
    if token and request.cookies.get(form_cookie_name()) != token:
        response.set_cookie(form_cookie_name(), token, max_age=86400, path="/",
                            secure=secure_cookies(), httponly=True, samesite="Strict")
    return response


def check_form_token() -> None:
    """For the forms used before signing in: the posted token equals the cookie."""
    cookie = request.cookies.get(form_cookie_name())
    posted = request.form.get(CSRF_FIELD)
    if not cookie or not same_secret(cookie, posted):
        raise csrf_refused()


def csrf_refused() -> Refused:
    return Refused("The form had expired or did not come from this portal. "
                   "Reload the page and send it again.", kind="csrf", title="Form expired")


def set_session_cookie(response: Response, secret: str) -> None:
    days = current_services().config.accounts.session_days
    response.set_cookie(session_cookie_name(), secret, max_age=days * 86400, path="/",
                        secure=secure_cookies(), httponly=True, samesite="Lax")
    # Readable by the static pages' script, and saying only that a session may exist:
    # with it, the knowledge base's header asks /api/session who is signed in; without
    # it (most readers), it asks nothing.
    response.set_cookie(SIGNED_IN_HINT, "1", max_age=days * 86400, path="/",
                        secure=secure_cookies(), httponly=False, samesite="Lax")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(session_cookie_name(), path="/", secure=secure_cookies(),
                           httponly=True, samesite="Lax")
    response.delete_cookie(SIGNED_IN_HINT, path="/", secure=secure_cookies(), samesite="Lax")


class _NoFlaskSession(SessionInterface):
    """Loket's sessions are its own (a cookie naming a stored session, above); Flask's
    signed-cookie session is never used, and opening it on every request cost about
    0.1 ms (a new signing serializer each time). A null session also makes any use of
    flask.session fail loudly instead of setting a cookie nobody reads."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response) -> None:
        return None


def install(app: Flask, *, secure: bool) -> None:
    app.config["LOKET_SECURE_COOKIES"] = secure
    app.session_interface = _NoFlaskSession()

    @app.before_request
    def _csrf():
        asking = this_request()
        if asking.method not in STATE_CHANGING or asking.endpoint in CSRF_EXEMPT:
            return None
        # No Cookie header (an anonymous API call): no session, and no cookies to parse.
        if "HTTP_COOKIE" not in asking.environ or session_cookie_name() not in asking.cookies:
            return None
        found = viewer()
        if found is None:
            return None
        if asking.endpoint == "pages.submit":
            return None  # The ticket form shows itself again with a token (pages.submit).
        posted = asking.headers.get(CSRF_HEADER)
        if posted is None and asking.mimetype in FORM_TYPES:
            allow_files(asking)  # Before the body is read: files may come with it.
            posted = asking.form.get(CSRF_FIELD)
        if not found.csrf_ok(posted):
            raise csrf_refused()
        return None
