"""The server's pages sit in the built site's shell page of their language."""

from __future__ import annotations

from pathlib import Path

from loket.web.rendering import SHELL_MARKER, PageShell

SHELL = """<!doctype html>
<html lang="{lang}"><head><title>Support - Nordwind Support</title>
<link rel="stylesheet" href="../../{prefix}assets/stylesheets/main.css"></head>
<body><header class="md-header">{header}</header>{marker}</body></html>
"""


def write_shell(site: Path, folder: str, lang: str, header: str) -> None:
    page = site / folder / "support" / "page" / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    prefix = "../" if folder else ""
    page.write_text(SHELL.format(lang=lang, prefix=prefix, header=header, marker=SHELL_MARKER),
                    encoding="utf-8")


def test_each_language_gets_its_own_shell_with_the_right_base(tmp_path):
    write_shell(tmp_path, "", "en", "Search")
    write_shell(tmp_path, "nl", "nl", "Zoeken")
    shell = PageShell(tmp_path)

    english = shell.wrap("<p>Ticket received</p>", title="Ticket received", lang="en")
    assert '<html lang="en">' in english and "Search" in english
    assert '<head><base href="/support/page/">' in english
    assert "<title>Ticket received</title>" in english and "<p>Ticket received</p>" in english

    dutch = shell.wrap("<p>Melding ontvangen</p>", title="Melding & meer", lang="nl")
    assert '<html lang="nl">' in dutch and "Zoeken" in dutch
    assert '<head><base href="/nl/support/page/">' in dutch
    assert "<title>Melding &amp; meer</title>" in dutch and SHELL_MARKER not in dutch


def test_a_language_without_a_shell_uses_the_default_one(tmp_path):
    write_shell(tmp_path, "", "en", "Search")
    page = PageShell(tmp_path).wrap("<p>Melding ontvangen</p>", title="Melding", lang="nl")
    assert '<base href="/support/page/">' in page and "<p>Melding ontvangen</p>" in page


def test_without_a_built_site_a_minimal_layout_stands_in(tmp_path):
    for site in (None, tmp_path):
        page = PageShell(site).wrap("<p>Melding ontvangen</p>", title="Melding", lang="nl")
        assert "<p>Melding ontvangen</p>" in page and "<base" not in page
