"""The parts of the site's page shell that depend on the request: the header's portal
links (who is signed in) and the language switcher's links to this same page."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request
from werkzeug.exceptions import HTTPException

from loket.domain.forms import LANGUAGES
from loket.web.auth import viewer
from loket.web.rendering import render_fragment


def header_links(lang: str) -> str:
    return render_fragment("header_links.html", lang=lang, viewer=viewer())


def alternates() -> dict[str, str]:
    """This page in each language: the same path with its `lang` changed. A page that
    answered a form (POST) links to the same path when it can be shown (GET), else the
    switcher keeps the shell's own links."""
    if request.method != "GET" and not _shown_by_get(request.path):
        return {}
    args = {k: v for k, v in request.args.items(multi=True) if k not in ("lang", "language")}
    if request.method != "GET":
        args = {}
    return {lang: f"{request.path}?{urlencode([*args.items(), ('lang', lang)])}"
            for lang in LANGUAGES}


def _shown_by_get(path: str) -> bool:
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return False
    return True
