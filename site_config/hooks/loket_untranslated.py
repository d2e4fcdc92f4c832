"""An article built under /nl/ (or any other language) from its English source, as the
i18n plugin's fallback does, says so at the top in that language: the reader knows
the text is not missing by mistake and that a translation may follow (issue #11).
The release notes have their own note (docs/release-notes/index.<lang>.md)."""

from __future__ import annotations

NOTICES = {
    "nl": ('!!! info "Nog niet vertaald"\n'
           "    Dit artikel is nog niet in het Nederlands vertaald. Hieronder leest u de "
           "Engelse versie.\n\n"),
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


def on_page_markdown(markdown, page, config, files):
    lang = _language(config)
    if not untranslated(page, lang):
        return markdown
    # After the front matter (already taken off) and before the first heading would put
    # the notice above the title; after the title reads better.
    head, newline, rest = markdown.partition("\n")
    if head.startswith("# "):
        return head + newline + "\n" + NOTICES[lang] + rest
    return NOTICES[lang] + markdown
