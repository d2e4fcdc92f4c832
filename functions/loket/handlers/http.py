"""The HTTP API (API Gateway HTTP API, payload v2): the Flask app through apig-wsgi."""

from __future__ import annotations

from typing import Any

_handler = None


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _handler
    if _handler is None:
        from apig_wsgi import make_lambda_handler

        from loket.web.app import create_app

        # The site itself is served by CloudFront from S3; Flask only answers
        # /api/ and /portal/ here.
        _handler = make_lambda_handler(create_app(serve_site=False), binary_support=True)
    return _handler(event, context)


def reset() -> None:
    """Forget the app, so the next event builds it again (tests change settings)."""
    global _handler
    _handler = None
