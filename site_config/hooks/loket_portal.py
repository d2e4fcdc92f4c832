"""MkDocs hook: puts the portal's forms into the static pages at build time.

The ticket form is rendered from site_config/forms/ticket.yml by the same code the
server uses to show it again with errors, so the page and the server never disagree.
Pages mark the spot with an HTML comment: <!-- loket:ticket-form --> or
<!-- loket:ticket-lookup -->.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

from loket.config import ConfigError, load_portal_config
from loket.web.i18n import strings
from loket.web.rendering import render_lookup, render_ticket_form

ASSETS_CSS = "assets/loket/portal.css"
ASSETS_JS = "assets/loket/portal.js"
# The desk's small touches (canned replies inserted in place), on the server's pages.
ASSETS_DESK_JS = "assets/loket/desk.js"
_portal = None


def on_config(config, **kwargs):
    global _portal
    config_dir = Path(config.config_file_path).parent / "site_config"
    try:
        _portal = load_portal_config(config_dir)
    except ConfigError as exc:
        raise PluginError(f"Loket configuration: {exc}") from None
    if ASSETS_CSS not in config.extra_css:
        config.extra_css.append(ASSETS_CSS)
    for script in (ASSETS_JS, ASSETS_DESK_JS):
        if script not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(script)
    return config


def on_env(env, config, files, **kwargs):
    """The portal's named strings in the page's language, for partials/loket-portal.html:
    the header's portal links come from the same catalogs as the portal's own pages."""
    env.globals["loket_strings"] = strings
    return env


def on_page_content(html, page, config, files, **kwargs):
    lang = page.meta.get("language") or config.theme.get("language") or "en"
    if "<!-- loket:ticket-form -->" in html:
        html = html.replace("<!-- loket:ticket-form -->", render_ticket_form(_portal, lang))
    if "<!-- loket:ticket-lookup -->" in html:
        html = html.replace("<!-- loket:ticket-lookup -->", render_lookup(lang))
    return html
