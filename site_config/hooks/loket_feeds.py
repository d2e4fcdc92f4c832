"""Puts right two things the plugins leave in the built site (issue #11):

- The RSS plugin writes a feed's `<image>` element even with no image configured, as
  `<url>None</url>`, which feed readers fetch and validators refuse: it is dropped.
  MkDocs calls hooks after the plugins, so the feed is written by then.
- Material's script fetches `sitemap.xml` beside the language's home (instant
  navigation, the language switch), but the i18n plugin writes it for the default
  language only, so every Dutch page asked for a /nl/sitemap.xml that was not there:
  each language's build gets a copy of the site's own (it lists every page).
- The same script fetches `sitemap.xml` beside every `<link rel="alternate">` of a
  page's head, and the i18n plugin points those at the page's own translations, so
  every page but the homes asked for a `<page>/sitemap.xml` that is not there. The
  language links in the head are dropped: the sitemap lists each page's translations
  (`xhtml:link hreflang`, which search engines read as well), and the language menu
  keeps its links (`target="_self"`, which the script leaves alone).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

# A language link of the head (the feeds' links carry a type and stay).
_HEAD_LANGUAGE_LINK = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')

# The <image> element whose <url> is the plugin's "None".
_EMPTY_IMAGE = re.compile(r"\s*<image>\s*<url>None</url>.*?</image>", re.DOTALL)


def on_post_page(output: str, page, config) -> str:
    return _without_head_language_links(output)


def on_post_template(output: str, template_name: str, config) -> str:
    # 404.html: rendered as a template, with the language links of the last page built.
    return _without_head_language_links(output)


def _without_head_language_links(html: str) -> str:
    head, separator, body = html.partition("</head>")
    return _HEAD_LANGUAGE_LINK.sub("", head) + separator + body


def on_post_build(config) -> None:
    _copy_sitemap(config)
    for feed in Path(config["site_dir"]).glob("feed_rss_*.xml"):
        text = feed.read_text(encoding="utf-8")
        fixed = _EMPTY_IMAGE.sub("", text)
        if fixed != text:
            feed.write_text(fixed, encoding="utf-8")


def _copy_sitemap(config) -> None:
    i18n = config.plugins.get("i18n")
    if i18n is None or not i18n.current_language \
            or i18n.current_language == i18n.default_language:
        return
    lang, site = i18n.current_language, Path(config["site_dir"])
    root, own = (site.parent, site) if site.name == lang else (site, site / lang)
    for name in ("sitemap.xml", "sitemap.xml.gz"):
        if (root / name).is_file() and own.is_dir() and not (own / name).exists():
            shutil.copy2(root / name, own / name)
