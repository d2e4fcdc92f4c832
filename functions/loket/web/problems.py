"""Errors at the edge: RFC 9457 problem details for /api, friendly pages for HTML.

Domain errors are raised inside; only here do they become HTTP.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from loket.domain.errors import (AttachmentNotFound, IdempotencyConflict, RateLimited,
                                 TicketNotFound, TransitionRefused, UploadNotFound,
                                 ValidationFailed, VersionConflict)

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, *, type_: str = "about:blank",
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.content_type = PROBLEM_JSON
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_problem(exc: ValidationFailed) -> Response:
    # `message`: the same as a whole sentence in the caller's language, which the
    # portal's script shows under the field (detail stays the API's plain English).
    from loket.web.field_errors import field_sentence

    lang = _asked_language()
    errors = [{"field": e.field, "detail": e.message, "pointer": f"#/{e.field}",
               "message": field_sentence(e.field.partition("[")[0], e.message, lang)}
              for e in exc.errors]
    fields = ", ".join(e.field for e in exc.errors)
    return problem(422, "Invalid submission", f"Check these fields: {fields}.",
                   type_="/api/problems/validation-failed", errors=errors)


def _asked_language() -> str:
    """The body's `language` (the ticket form sends it), else Accept-Language."""
    from loket.domain.forms import LANGUAGES

    body = request.get_json(silent=True) if request.is_json else None
    asked = body.get("language") if isinstance(body, dict) else None
    if isinstance(asked, str) and asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or "en"


def not_found_problem() -> Response:
    # The same body whether the ticket is missing or the token is wrong, so a
    # stranger learns nothing by guessing numbers.
    return problem(404, "Ticket not found",
                   "There is no ticket with this number and access code.",
                   type_="/api/problems/ticket-not-found")


def rate_limited_problem(exc: RateLimited) -> Response:
    return problem(429, "Too many submissions",
                   f"This address sent {exc}. Try again in {exc.retry_after} seconds.",
                   type_="/api/problems/rate-limited",
                   headers={"Retry-After": str(exc.retry_after)})


def register_api_errors(app: Flask) -> None:
    """Problem details for every error under /api; other paths keep their own pages."""

    def wants_problem() -> bool:
        return request.path == "/api" or request.path.startswith("/api/")

    @app.errorhandler(ValidationFailed)
    def _validation(exc):
        return validation_problem(exc)

    @app.errorhandler(TicketNotFound)
    def _not_found(exc):
        return not_found_problem()

    @app.errorhandler(RateLimited)
    def _rate(exc):
        return rate_limited_problem(exc)

    @app.errorhandler(UploadNotFound)
    def _upload(exc):
        return problem(404, "Upload not found",
                       "No upload waits here for this form: it is unknown, done, or "
                       "expired. Ask for a new upload form.", type_="/api/problems/upload-not-found")

    @app.errorhandler(AttachmentNotFound)
    def _attachment(exc):
        return problem(404, "Attachment not found", "The ticket has no such file.",
                       type_="/api/problems/attachment-not-found")

    @app.errorhandler(IdempotencyConflict)
    def _idempotency(exc):
        return problem(409, "Idempotency-Key reused",
                       "This Idempotency-Key was already used for a different request; "
                       "use a new key for a new ticket.", type_="/api/problems/idempotency")

    @app.errorhandler(VersionConflict)
    def _version(exc):
        return problem(409, "Changed meanwhile",
                       "The ticket changed while you were working on it; reload and try again.",
                       type_="/api/problems/version-conflict")

    @app.errorhandler(TransitionRefused)
    def _refused(exc):
        return problem(409, "Not possible now",
                       f"The ticket's status is '{exc.status}'; from there it cannot be "
                       f"done ({exc.action}).", type_="/api/problems/transition-refused",
                       status_id=exc.status)

    register_account_errors(app, wants_problem)
    register_outage_errors(app, wants_problem)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if not wants_problem():
            return exc
        detail = exc.description or exc.name
        if exc.code == 413:
            # A view may set its own limit (uploads); the app's applies otherwise.
            limit = request.max_content_length
            detail = f"The request body is larger than the {limit} bytes this endpoint accepts."
        # A 405 names the methods that do work (Allow), as werkzeug's own answer does.
        allow = getattr(exc, "valid_methods", None)
        headers = {"Allow": ", ".join(sorted(allow))} if allow else None
        return problem(exc.code or 500, exc.name, detail, headers=headers)


def register_account_errors(app: Flask, wants_problem) -> None:
    """Accounts' errors: problem details under /api, pages (or the sign-in page) else."""
    from loket.domain.errors import AlreadyExists, Refused, SignInRequired, SignInThrottled

    def page(title: str, detail: str, status: int, headers=None):
        from loket.web.pages import message_page

        return message_page(None, detail, None, status=status, headers=headers, title=title)

    @app.errorhandler(SignInRequired)
    def _sign_in(exc):
        if wants_problem():
            return problem(401, "Sign in first", "This needs a signed-in account.",
                           type_="/api/problems/sign-in-required")
        from urllib.parse import urlencode

        from flask import redirect

        return redirect("/portal/login?" + urlencode({"next": request.full_path.rstrip("?")}),
                        code=303)

    @app.errorhandler(Refused)
    def _refused(exc):
        if wants_problem():
            return problem(403, exc.title, exc.detail, type_=f"/api/problems/{exc.kind}")
        return page(exc.title, exc.detail, 403)

    @app.errorhandler(SignInThrottled)
    def _throttled(exc):
        headers = {"Retry-After": str(exc.retry_after)}
        if wants_problem():
            return problem(429, "Too many attempts", str(exc), type_="/api/problems/sign-in-throttled",
                           headers=headers)
        return page("Too many attempts", str(exc), 429, headers)

    @app.errorhandler(AlreadyExists)
    def _exists(exc):
        return problem(409, "Exists already", str(exc), type_="/api/problems/already-exists")


def register_outage_errors(app: Flask, wants_problem) -> None:
    """A store that is busy or out of reach: 503 with Retry-After, nothing saved."""
    from loket.web.store_outage import RETRY_AFTER, log_outage, store_unavailable

    def _outage(exc):
        if not store_unavailable(exc):
            raise exc  # A bug or a refused request: Flask's own 500, logged as such.
        log_outage(exc)
        headers = {"Retry-After": str(RETRY_AFTER)}
        if wants_problem():
            return problem(503, "Try again in a moment",
                           "The ticket store is busy or out of reach for a moment, so "
                           "nothing was saved: no ticket and no change. Send the same "
                           "request again in a few seconds.",
                           type_="/api/problems/store-unavailable", headers=headers)
        from loket.web.i18n import strings
        from loket.web.pages import language, message_page

        lang = language()
        return message_page("unavailable_title", strings(lang)["unavailable_text"], lang,
                            status=503, headers=headers)

    # Any error not handled above: the stores' errors come from several libraries
    # (sqlite3, botocore), and botocore is not imported until it raises.
    app.register_error_handler(Exception, _outage)
