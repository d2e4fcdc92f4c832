"""HTML fragments shared by the site build (MkDocs hook) and the server's own pages.

Both render the ticket form from the same definition, so the static page and the
server-shown page (with errors) are the same markup.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from loket.config import PortalConfig
from loket.domain.attachments import accept_attribute
from loket.domain.forms import LANGUAGES
from loket.web.formats import date_filter, datetime_filter, size_filter
from loket.locale import translations
from loket.web.i18n import script_text, strings
from loket.web.linkify import linkify

SHELL_MARKER = "<!-- loket:server-content -->"
SHELL_PAGE = Path("support/page/index.html")


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(loader=PackageLoader("loket.web", "templates"),
                              autoescape=select_autoescape(["html"]),
                              undefined=StrictUndefined, trim_blocks=False,
                              lstrip_blocks=False, extensions=["jinja2.ext.i18n"])
    # In the template's language; moments in the business calendar's time zone.
    environment.filters["filesize"] = size_filter
    environment.filters["localdate"] = date_filter
    environment.filters["localtime"] = datetime_filter
    environment.filters["accept"] = accept_attribute
    environment.filters["linkify"] = linkify
    return environment


def render_fragment(name: str, *, lang: str, **data: Any) -> str:
    """`t` holds the named strings (loket.web.i18n); `_()`/`{% trans %}` translate in
    place, with the language's catalog passed per render (thread-safe, unlike installing
    it on the shared environment)."""
    catalog = translations(lang)
    return _environment().get_template(name).render(
        lang=lang, t=strings(lang), script_text=script_text(lang), _=catalog.gettext,
        gettext=catalog.gettext,
        ngettext=catalog.ngettext, pgettext=catalog.pgettext, **data)


def render_ticket_form(config: PortalConfig, lang: str, *, values: dict | None = None,
                       errors: dict[str, str] | None = None,
                       idempotency_key: str = "", products: frozenset[str] | None = None,
                       csrf_token: str = "", notice: str = "") -> str:
    """The ticket form; for a signed-in customer (the server's own page) `products`
    limits the product list to their rights and `csrf_token` goes along. `notice` is
    said above the fields (the form came back unsent)."""
    form = config.form
    listed = config.products if products is None else {
        p: name for p, name in config.products.items() if p in products}
    return render_fragment("form.html", lang=lang, form=form, values=values or {},
                           errors=errors or {}, idempotency_key=idempotency_key,
                           attachments=config.attachments, csrf_token=csrf_token,
                           notice=notice, choices_for=lambda spec: form.choices(spec, listed))


def render_lookup(lang: str, number: str = "") -> str:
    return render_fragment("lookup.html", lang=lang, number=number)


class PageShell:
    """Wraps server-rendered content in the built site's own page, so it looks the same.

    The site build leaves a page with a marker where content goes, one per language:
    support/page/ for the default language and <lang>/support/page/ for the others
    (mkdocs-static-i18n). A language without its own shell uses the default one; without
    a built site (tests, a bare API deployment) a minimal layout stands in.
    """

    def __init__(self, site_dir: Path | None):
        self._default: str | None = None
        self._by_language: dict[str, str] = {}
        if site_dir is None:
            return
        self._default = _load_shell(site_dir, SHELL_PAGE)
        for lang in LANGUAGES:
            shell = _load_shell(site_dir, Path(lang) / SHELL_PAGE)
            if shell is not None:
                self._by_language[lang] = shell

    def wrap(self, content: str, *, title: str, lang: str, header_links: str = "",
             alternates: dict[str, str] | None = None) -> str:
        """`header_links` replaces the header's static portal links (who is signed in);
        `alternates` points the language switcher at this page in each language."""
        html = self._by_language.get(lang, self._default)
        if html is None:
            return render_fragment("layout.html", lang=lang, title=title,
                                   content=Markup(content))
        page = re.sub(r"<title>.*?</title>", lambda _: f"<title>{Markup.escape(title)}</title>",
                      html, count=1, flags=re.S)
        if header_links:
            page = _PORTAL_LINKS.sub(lambda _: header_links, page, count=1)
        for other, url in (alternates or {}).items():
            page = re.sub(_alternate_link(other),
                          lambda m: f'{m[1]}{Markup.escape(url)}{m[2]}', page, count=1)
        return page.replace(SHELL_MARKER, content, 1)


# The shell's static portal links (partials/loket-portal.html) and the switcher's link
# to a language (partials/alternate.html), as Material and our partials render them.
_PORTAL_LINKS = re.compile(r'<nav class="md-header__option loket-portal-links".*?</nav>', re.S)


def _alternate_link(lang: str) -> str:
    return rf'(<a href=")[^"]*(" hreflang="{re.escape(lang)}")'


def _load_shell(site_dir: Path, relative: Path) -> str | None:
    shell = site_dir / relative
    if not shell.is_file():
        return None
    html = shell.read_text(encoding="utf-8")
    if SHELL_MARKER not in html:
        return None
    # The shell's links are relative to its own folder; <base> keeps them working when
    # the content is served under /portal/.
    base = "/" + relative.parent.as_posix() + "/"
    return html.replace("<head>", f'<head><base href="{base}">', 1)
