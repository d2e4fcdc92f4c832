"""An article built under /nl/ (or any other language) from its English source, as the
i18n plugin's fallback does, says so at the top in that language: the reader knows
the text is not missing by mistake and that a translation may follow (issue #11).
The release notes have their own note (docs/release-notes/index.<lang>.md), where the
mark `<!-- loket:release-notes -->` becomes the list of the (English) posts, newest
first, linking to them: the blog itself is built in English only (loket_languages.py)."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import yaml

NOTICES = {
    "nl": ('!!! info "Nog niet vertaald"\n'
           "    Dit artikel is nog niet in het Nederlands vertaald. Hieronder leest u de "
           "Engelse versie.\n\n"),
    "de": ('!!! info "Noch nicht übersetzt"\n'
           "    Dieser Artikel ist noch nicht ins Deutsche übersetzt. Unten lesen Sie die "
           "englische Fassung.\n\n"),
}
# Pages whose English-only state is said elsewhere, or that have no prose of their own.
_LEFT_ALONE = ("release-notes/", "kb/tags.")


def _language(config) -> str:
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return config.theme.get("language") or "en"
    return i18n.current_language or i18n.default_language


def untranslated(page, lang: str) -> bool:
    """Built in `lang` from a source that is not `lang`'s (name.<lang>.md)."""
    source = page.file.abs_src_path or ""
    return (lang in NOTICES and source.endswith(".md")
            and not source.endswith(f".{lang}.md")
            and not page.file.src_uri.startswith(_LEFT_ALONE))


RELEASE_NOTES_MARK = "<!-- loket:release-notes -->"


def release_notes_list(docs_dir: Path, to_root: str) -> str:
    """The posts under release-notes/posts/ as an HTML list, newest first, linked by
    the blog's URL format ({date}/{slug}); `to_root` leads from the page to the site."""
    posts = []
    for source in (docs_dir / "release-notes" / "posts").glob("*.md"):
        meta = _front_matter(source.read_text(encoding="utf-8"))
        day = meta.get("date")
        day = day.get("created") if isinstance(day, dict) else day
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        posts.append((day, meta.get("slug") or source.stem, str(meta.get("title") or "")))
    items = [f'<li><time datetime="{day.isoformat()}">{day.isoformat()}</time> '
             f'<a href="{to_root}release-notes/{day:%Y/%m/%d}/{escape(slug)}/" hreflang="en" '
             f'lang="en">{escape(title)}</a></li>'
             for day, slug, title in sorted(posts, reverse=True)]
    return '<ul class="loket-release-notes">\n' + "\n".join(items) + "\n</ul>"


def _front_matter(text: str) -> dict:
    if not text.startswith("---"):
        return {}
    return yaml.safe_load(text.split("---", 2)[1]) or {}


def on_page_markdown(markdown, page, config, files):
    lang = _language(config)
    if RELEASE_NOTES_MARK in markdown:
        # From the page (its URL carries the language: nl/release-notes/) to the
        # site's root: one step up per folder.
        path = page.url.strip("/")
        markdown = markdown.replace(RELEASE_NOTES_MARK, release_notes_list(
            Path(config["docs_dir"]), "../" * (path.count("/") + 1 if path else 0)))
    if not untranslated(page, lang):
        return markdown
    # After the front matter (already taken off) and before the first heading would put
    # the notice above the title; after the title reads better.
    head, newline, rest = markdown.partition("\n")
    if head.startswith("# "):
        return head + newline + "\n" + NOTICES[lang] + rest
    return NOTICES[lang] + markdown
