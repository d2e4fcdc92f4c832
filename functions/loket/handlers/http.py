"""The HTTP API (API Gateway HTTP API, payload v2): the Flask app through apig-wsgi."""

from __future__ import annotations

from typing import Any

from loket.handlers.runtime import cold_start_without_gc

_handler = None


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if _handler is None:
        with cold_start_without_gc():
            _build()
            return _handler(event, context)
    return _handler(event, context)


def _build() -> None:
    """The app, built on the first event (not at import): Lambda's init phase then
    imports nothing but this module."""
    global _handler
    from apig_wsgi import make_lambda_handler

    from loket.settings import Settings
    from loket.web.app import create_api_app, create_app
    from loket.web.prefix_dispatch import PrefixDispatch
    from loket.wiring import build_services

    settings = Settings()
    if settings.trusted_proxies:
        # API Gateway passes a caller's X-Forwarded-For on as it came: trusting it
        # would let any caller pick its own address (rate limits, logs).
        raise RuntimeError("LOKET_TRUSTED_PROXIES is for a local reverse proxy; on "
                           "Lambda set LOKET_ORIGIN_SECRET (web/edge.py)")
    services = build_services(settings)
    # /api/ is answered by an app of the API's views alone, the pages by the whole
    # app, each built when first asked for: a cold submission imports no page views
    # (web/prefix_dispatch.py). The site itself is served by CloudFront from S3;
    # Flask only answers the app's own prefixes (/api/, /portal/, /desk/) here.
    _handler = make_lambda_handler(PrefixDispatch(
        lambda: create_api_app(settings, services),
        lambda: create_app(settings, services=services, serve_site=False)),
        binary_support=True)


def reset() -> None:
    """Forget the app, so the next event builds it again (tests change settings)."""
    global _handler
    _handler = None
