"""Security headers on every answer: the one place that says what they are.

Flask adds them to everything it serves (the site locally, portal, desk, errors, API);
on AWS, CloudFront's response-headers policy for the static site takes the same values
from here (`security_headers`), so the two can never drift apart.

- Pages get a Content-Security-Policy that runs only the site's own files and the
  inline scripts MkDocs Material writes into each page, allowed one by one by their
  SHA-256 hashes (computed from the built site, `inline_script_hashes`). Jinja pages
  (desk, fallback layout) have no inline script at all, so need no nonce.
- JSON answers get `default-src 'none'`: nothing in them is ever to be run or shown.
- Attachments keep their own stricter sandbox policy (web/attachments.py): a header an
  answer sets itself is never replaced.
- No page may be framed (frame-ancestors 'none', X-Frame-Options DENY), nothing is
  sniffed into another type, and no address is ever sent on as a Referer: ticket and
  invitation links carry secrets in their address, and one policy everywhere cannot
  forget a page.
- HSTS only when the portal runs on https (a browser ignores it on http anyway, and
  it must never pin a local http portal).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from flask import Flask

REFERRER_POLICY = "no-referrer"
FRAME_OPTIONS = "DENY"
CONTENT_TYPE_OPTIONS = "nosniff"
# Two years, the preload list's minimum; subdomains too, as the portal is the vendor's.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"
# JSON and problem details: nothing to run, load or frame.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# What attachments carry (web/attachments.py): opened in a tab, a file runs nothing.
ATTACHMENT_POLICY = "sandbox; default-src 'none'"
# Answers of these types get API_POLICY; every other type (pages, and the scripts,
# styles and images they load: a worker's script brings its own policy) the page policy.
DATA_TYPES = frozenset({"application/json", "application/problem+json"})

_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
# Data blocks (Material's `__config`) are not run, so CSP does not need their hashes.
_DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.I)


def page_policy(script_hashes: Iterable[str] = (), *, file_origins: Iterable[str] = ()) -> str:
    """The Content-Security-Policy of every page. `script_hashes` are "sha256-..."
    sources of the inline scripts allowed; `file_origins` the origin attachments are
    uploaded to and shown from when it is not this one (an S3 bucket)."""
    hashes = " ".join(f"'{h}'" for h in sorted(set(script_hashes)))
    files = " ".join(sorted(set(file_origins)))
    directives = [
        "default-src 'self'",
        f"script-src 'self' {hashes}".rstrip(),
        "style-src 'self'",
        f"img-src 'self' data: {files}".rstrip(),  # Material's icons are data: SVGs.
        "font-src 'self'",
        f"connect-src 'self' {files}".rstrip(),
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",  # The page shell's <base href> (web/rendering.py).
        "object-src 'none'",
    ]
    return "; ".join(directives)


def security_headers(*, policy: str, https: bool) -> dict[str, str]:
    """The headers every answer carries, with `policy` as its Content-Security-Policy."""
    headers = {"Content-Security-Policy": policy,
               "X-Frame-Options": FRAME_OPTIONS,
               "X-Content-Type-Options": CONTENT_TYPE_OPTIONS,
               "Referrer-Policy": REFERRER_POLICY}
    if https:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return headers


def script_hash(source: str) -> str:
    """The CSP source for one inline script: its exact text, UTF-8, SHA-256, base64."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def inline_script_hashes(html: str) -> set[str]:
    """The hashes of the scripts a page runs inline (not those with src, nor data)."""
    return {script_hash(body) for attributes, body in _INLINE_SCRIPT.findall(html)
            if "src=" not in attributes.lower() and not _DATA_BLOCK.search(attributes)}


@lru_cache(maxsize=8)
def site_script_hashes(site_dir: Path) -> frozenset[str]:
    """The hashes of every inline script of the built site (a few distinct ones:
    Material writes the same small scripts into each page, with the page's depth)."""
    found: set[str] = set()
    if site_dir.is_dir():
        for page in site_dir.rglob("*.html"):
            found |= inline_script_hashes(page.read_text(encoding="utf-8", errors="replace"))
    return frozenset(found)


def file_origins(settings) -> tuple[str, ...]:
    """The origins browsers upload attachments to and load thumbnails from, when that
    is not the portal itself: the S3 bucket's own host names (loket/blobs/s3.py uses
    virtual-host addressing), or a local S3 endpoint."""
    if settings.blobs != "s3":
        return ()
    if settings.aws_endpoint_url:
        found = re.match(r"^(https?://[^/?#]+)", settings.aws_endpoint_url)
        return (found.group(1),) if found else ()
    bucket = settings.attachments_bucket
    regional = [f"https://{bucket}.s3.{settings.aws_region}.amazonaws.com"] if (
        settings.aws_region) else []
    return (f"https://{bucket}.s3.amazonaws.com", *regional)


def install(app: Flask, *, site_dir: Path | None, https: bool,
            file_origins: Iterable[str] = ()) -> None:
    """Add the headers to every answer the app gives; headers an answer set itself
    (the attachments' sandbox policy, a page's own Referrer-Policy) stay. Call before
    any middleware that answers by itself wraps the app (web/edge.py's refusal carries
    none of them, as CloudFront adds them)."""
    origins = tuple(file_origins)

    def policy(kind: str) -> str:
        return API_POLICY if kind == "data" else page_policy(
            site_script_hashes(site_dir) if site_dir else (), file_origins=origins)

    app.wsgi_app = SecurityHeaders(app.wsgi_app, lambda kind: security_headers(
        policy=policy(kind), https=https))


class SecurityHeaders:
    """WSGI middleware adding the security headers to the list an answer starts with.

    Why not an after_request hook on Flask's response: werkzeug checks and copies every
    header a response holds once more on its way out, so the five constant ones cost
    some 70,000 instructions per answer (a fifth of an API submission's web layer).
    Added to the plain list here, they cost one look at the answer's own headers."""

    def __init__(self, app: Callable, headers_of: Callable[[str], dict[str, str]]):
        self.app = app
        self._headers_of = headers_of
        # kind -> [(lower-case name, (name, value))], made on the first answer of that
        # kind, not at start: reading the site's pages costs a cold start.
        self._made: dict[str, list[tuple[str, tuple[str, str]]]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable):
        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            return start_response(status, self.added_to(headers), exc_info)

        return self.app(environ, start)

    def added_to(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """`headers` and each security header whose name is not among them. The kind
        goes by the first Content-Type, as werkzeug's Response.mimetype reads it."""
        own = set()
        mimetype = None
        for name, value in headers:
            lower = name.lower()
            if lower == "content-type" and mimetype is None:
                mimetype = value.partition(";")[0].strip()
            own.add(lower)
        ours = self.headers_for("data" if mimetype in DATA_TYPES else "page")
        return headers + [header for lower, header in ours if lower not in own]

    def headers_for(self, kind: str) -> list[tuple[str, tuple[str, str]]]:
        if kind not in self._made:
            self._made[kind] = [(name.lower(), (name, value)) for name, value
                                in self._headers_of(kind).items()]
        return self._made[kind]
