"""Who is asking, as far as the network can tell: requests only through CloudFront, and
the client's address from what CloudFront saw, never from what the caller wrote.

On AWS the app sits behind CloudFront -> HTTP API -> Lambda. The API's own address
(execute-api) is public too, so CloudFront adds a secret header to every request it
sends on (serverless.yml, the api origin's custom header) and the app refuses any
request without it. Behind that check, CloudFront's `CloudFront-Viewer-Address`
header ("198.51.100.7:46532", IPv6 unbracketed) is the viewer's address: CloudFront
sets it itself, replacing any a caller sent. X-Forwarded-For is never read here: its
first entries are whatever the caller wrote, and API Gateway passes them on.

Locally, behind a reverse proxy that appends to X-Forwarded-For, LOKET_TRUSTED_PROXIES
(werkzeug's ProxyFix) still serves; the two settings exclude each other.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any, Callable, Iterable

ORIGIN_HEADER = "X-Origin-Verify"
_ORIGIN_ENVIRON = "HTTP_" + ORIGIN_HEADER.upper().replace("-", "_")
_VIEWER_ENVIRON = "HTTP_CLOUDFRONT_VIEWER_ADDRESS"
_REFUSED = b'{"type":"/api/problems/forbidden","title":"Not allowed","status":403,' \
           b'"detail":"Requests reach Loket through its site address only."}'


class CloudFrontOnly:
    """WSGI middleware: refuse requests without the origin secret; take the client's
    address from CloudFront-Viewer-Address."""

    def __init__(self, app: Callable, secrets: Iterable[str]):
        self.app = app
        # Several during a change of secret: CloudFront's new header and the old one.
        self.secrets = tuple(s.encode() for s in secrets if s)
        if not self.secrets:
            raise ValueError("CloudFrontOnly needs an origin secret")

    def __call__(self, environ: dict[str, Any], start_response: Callable):
        given = environ.get(_ORIGIN_ENVIRON, "").encode()
        if not any(hmac.compare_digest(given, secret) for secret in self.secrets):
            start_response("403 Forbidden", [("Content-Type", "application/problem+json"),
                                             ("Content-Length", str(len(_REFUSED))),
                                             ("Cache-Control", "no-store")])
            return [_REFUSED]
        # The app never sees the secret (a page that echoed headers would leak it).
        environ.pop(_ORIGIN_ENVIRON, None)
        viewer = viewer_address(environ.get(_VIEWER_ENVIRON, ""))
        if viewer:
            environ["REMOTE_ADDR"] = viewer
        return self.app(environ, start_response)


def viewer_address(header: str) -> str | None:
    """The address in CloudFront-Viewer-Address ("ip:port"), or None if malformed."""
    host, _, port = header.strip().rpartition(":")
    if not host or not port.isdigit():
        return None
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None
