"""The writers' checks: the site builds strictly, quietly, in English and Dutch, with a feed.

A broken link, a broken anchor or bad front matter in a page fails the build, naming it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest

pytestmark = pytest.mark.slow

WARNING_LIKE = re.compile(r"warn|error|abort|deprecat|exception|traceback", re.IGNORECASE)
ARTICLE = "kb/planner/export-excel-file-locked.md"


def html_of(site, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_the_strict_build_passes_and_prints_nothing_warning_like(demo_build):
    result = demo_build.result
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert [line for line in result.stderr.splitlines() if WARNING_LIKE.search(line)] == []


@pytest.mark.parametrize("link, complaint", [
    ("[the calendar](calendar-feed-not-updating-in-outlook.md)",
     "calendar-feed-not-updating-in-outlook.md"),
    ("[the network](../../support/system-requirements.md#firewall)", "#firewall"),
])
def test_a_broken_internal_link_fails_the_strict_build(project, link, complaint):
    article = project.docs / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + f"\nSee also {link}.\n",
                       encoding="utf-8")
    result = project.build()
    assert result.returncode != 0
    assert re.search(rf"WARNING .*'{re.escape(ARTICLE)}'.*{re.escape(complaint)}", result.stderr)
    assert "Aborted with 1 warnings in strict mode" in result.stdout + result.stderr


def test_bad_front_matter_fails_the_build_naming_the_file(project):
    article = project.docs / ARTICLE
    article.write_text(article.read_text(encoding="utf-8").replace(
        "product: planner", "product: planer", 1), encoding="utf-8")
    result = project.build()
    assert result.returncode != 0
    assert ("docs/kb/planner/export-excel-file-locked.md: front matter 'product' is 'planer'; "
            "expected one of: planner, payroll, all") in result.stderr
    assert not (project.root / "site" / "index.html").exists()


def test_dutch_pages_are_built_under_nl_with_the_theme_and_form_in_dutch(demo_site):
    for path in ("", "kb", "support/submit", "support/status", "support/tips",
                 "support/system-requirements", "support/page", "release-notes"):
        assert '<html lang="nl"' in html_of(demo_site, f"nl/{path}".rstrip("/")), path
    submit = html_of(demo_site, "nl/support/submit")
    assert "Uw e-mailadres" in submit and 'data-lang="nl"' in submit
    assert 'name="language" value="nl"' in submit
    assert '<input type="text" class="md-search__input" name="query" aria-label="Zoeken"' in submit
    assert "Uw e-mailadres" not in html_of(demo_site, "support/submit")
    assert "Meldingsnummer" in html_of(demo_site, "nl/support/status")
    # Dutch articles replace the English ones under /nl/; no more page.nl/ addresses.
    assert "Het bestand is vergrendeld" in html_of(demo_site, f"nl/{ARTICLE[:-3]}")
    assert not list(demo_site.rglob("*.nl"))


def test_the_language_switcher_leads_to_the_same_page_in_the_other_language(demo_site):
    english = html_of(demo_site, "support/submit")
    # target="_self": Material's script leaves the link alone (see partials/alternate.html).
    assert ('<a href="../../nl/support/submit/" hreflang="nl" lang="nl" target="_self"'
            in english)
    dutch = html_of(demo_site, "nl/support/submit")
    assert '<a href="../../../support/submit/" hreflang="en" lang="en" target="_self"' in dutch


def test_the_server_shell_exists_per_language(demo_site):
    for path in ("support/page", "nl/support/page"):
        assert "<!-- loket:server-content -->" in html_of(demo_site, path)


def test_release_notes_are_english_only_and_the_dutch_page_says_where_they_are(demo_site):
    assert (demo_site / "release-notes/2026/01/27/planner-2026-1/index.html").is_file()
    assert (demo_site / "release-notes/category/planner/index.html").is_file()
    assert (demo_site / "release-notes/archive/2026/index.html").is_file()
    assert not (demo_site / "nl/release-notes/2026").exists()
    assert not (demo_site / "nl/release-notes/posts").exists()
    dutch = html_of(demo_site, "nl/release-notes")
    assert 'href="../../release-notes/"' in dutch and "feed_rss_created.xml" in dutch
    post = html_of(demo_site, "release-notes/2026/01/27/planner-2026-1")
    assert 'href="/nl/release-notes/" hreflang="nl"' in post


def test_a_release_note_names_its_product_unless_it_is_about_all(demo_site):
    planner = html_of(demo_site, "release-notes/2026/01/27/planner-2026-1")
    assert '<meta name="loket:product" content="planner">' in planner
    both = html_of(demo_site, "release-notes/2026/03/03/end-of-support-safari-16-firefox-esr-115")
    assert "loket:product" not in both


def test_the_feed_lists_every_release_note_with_categories_and_front_matter_dates(demo_site):
    channel = ET.parse(demo_site / "feed_rss_created.xml").getroot().find("channel")
    items = {item.findtext("link"): item for item in channel.findall("item")}
    assert len(items) == 7
    note = items["http://127.0.0.1:8000/release-notes/2026/01/27/planner-2026-1/"]
    assert note.findtext("title") == \
        "Nordwind Planner 2026.1: shift swap approval and a faster week view"
    assert [c.text for c in note.findall("category")] == ["Planner"]
    assert parsedate_to_datetime(note.findtext("pubDate")).date().isoformat() == "2026-01-27"
    both = items["http://127.0.0.1:8000/release-notes/2026/03/03/"
                 "end-of-support-safari-16-firefox-esr-115/"]
    assert {c.text for c in both.findall("category")} == {"Announcements", "Planner", "Payroll"}
    index = html_of(demo_site, "release-notes")
    assert '<a href="../feed_rss_created.xml" type="application/rss+xml">' in index
    assert 'type="application/rss+xml"' in html_of(demo_site, "")  # Material's <link> in <head>


def test_the_home_page_links_to_the_portal_in_its_own_language(demo_site):
    """The header leads to the portal's sign-in and my-tickets pages (partials/loket-portal.html)."""
    for path, lang, sign_in, mine in (("", "en", "Sign in", "My tickets"),
                                      ("nl", "nl", "Inloggen", "Mijn meldingen")):
        home = html_of(demo_site, path)
        assert (f'<a class="loket-portal-link" href="/portal/login?lang={lang}" '
                f'target="_self">{sign_in}</a>') in home, path
        assert (f'<a class="loket-portal-link" href="/portal/my-tickets?lang={lang}" '
                f'target="_self">{mine}</a>') in home, path


def test_the_feeds_have_no_image_pointing_at_none(demo_site):
    # Issue #11: the RSS plugin wrote <image><url>None</url> for a feed with no image.
    for name in ("feed_rss_created.xml", "feed_rss_updated.xml"):
        text = (demo_site / name).read_text(encoding="utf-8")
        assert "None" not in text
        channel = ET.fromstring(text).find("channel")
        assert channel.find("image") is None and len(channel.findall("item")) > 0


def test_no_footer_leads_to_the_tags_index(demo_site):
    # Issue #11: the release notes said "Previous: Tags"; the tags index is no reading step.
    for page in demo_site.rglob("*.html"):
        footer = page.read_text(encoding="utf-8").split('class="md-footer"', 1)[-1]
        assert not re.search(r'href="[^"]*tags/"[^>]*class="md-footer__link', footer), page


@pytest.mark.parametrize("path", ["index.html", "nl/index.html"])
def test_the_home_title_names_the_site_once(demo_site, path):
    html = (demo_site / path).read_text(encoding="utf-8")
    assert re.search(r"<title>([^<]*)</title>", html).group(1) == "Nordwind Support"
    kb = (demo_site / "kb/index.html").read_text(encoding="utf-8")
    assert "<title>Knowledge base - Nordwind Support</title>" in kb


def test_an_english_only_article_under_nl_says_it_is_not_translated_yet(demo_site):
    untranslated = demo_site / "nl/kb/planner/calendar-feed-not-updating/index.html"
    html = untranslated.read_text(encoding="utf-8")
    assert "Dit artikel is nog niet in het Nederlands vertaald" in html
    translated = demo_site / "nl/kb/planner/export-excel-file-locked/index.html"
    assert "nog niet in het Nederlands vertaald" not in translated.read_text(encoding="utf-8")
    english = demo_site / "kb/planner/calendar-feed-not-updating/index.html"
    assert "nog niet in het Nederlands" not in english.read_text(encoding="utf-8")


def test_every_language_has_the_sitemap_materials_script_asks_for(demo_site):
    # Issue #11: Dutch pages fetched /nl/sitemap.xml, a 404.
    for folder in (demo_site, demo_site / "nl"):
        sitemap = ET.parse(folder / "sitemap.xml").getroot()
        assert len(list(sitemap)) > 10


def test_no_page_makes_materials_script_ask_for_a_missing_sitemap(demo_site):
    # Issue #11: Material's script fetches `sitemap.xml` beside each link[rel=alternate]
    # of a page's head; the i18n plugin pointed them at the page's translations, so
    # every page but the homes asked for <page>/sitemap.xml and got a 404.
    missing = set()
    for page in demo_site.rglob("*.html"):
        head = page.read_text(encoding="utf-8").partition("</head>")[0]
        url = "/" + page.relative_to(demo_site).as_posix()
        for href in re.findall(r'<link rel="alternate"[^>]*href="([^"]+)"', head):
            sitemap = urljoin(urljoin(url, href), "sitemap.xml")
            if not (demo_site / sitemap.lstrip("/")).is_file():
                missing.add(f"{url} -> {sitemap}")
    assert not missing, sorted(missing)[:10]


def test_the_sitemap_names_every_page_s_translations(demo_site):
    # What the head's language links said, the sitemap says for search engines.
    sitemap = (demo_site / "sitemap.xml").read_text(encoding="utf-8")
    entry = re.search(r"<loc>[^<]*/kb/</loc>.*?</url>", sitemap, re.DOTALL).group(0)
    for language in ("nl", "de"):
        assert re.search(rf'hreflang="{language}" href="[^"]*/{language}/kb/"', entry)


def test_a_known_issue_page_speaks_its_language(demo_site):
    # The facts under the title come from the catalogs (loket/web/known_issue_words.py),
    # so every language with a catalog has them, German too.
    from loket.web.known_issue_words import known_issue_words

    for prefix, language in (("", "en"), ("nl/", "nl"), ("de/", "de")):
        html = (demo_site / f"{prefix}known-issues/PLN-142/index.html").read_text("utf-8")
        facts = re.search(r'<dl class="loket-known-issue".*?</dl>', html, re.DOTALL).group(0)
        words = known_issue_words(language)
        assert f"<dt>{words['product']}</dt>" in facts and f"<dt>{words['versions']}</dt>" in facts
        assert words["affects"] in html
    assert "Betroffene Versionen" in (demo_site / "de/known-issues/PLN-142/index.html").read_text("utf-8")


def test_the_dutch_release_notes_page_lists_the_english_notes(demo_site):
    # Issue #11: /nl/release-notes/ showed no notes at all.
    html = (demo_site / "nl/release-notes/index.html").read_text(encoding="utf-8")
    assert "in het Engels geschreven" in html
    link = re.search(r'<a href="([^"]+)" hreflang="en" lang="en">Nordwind Planner 2026.1', html)
    assert link is not None
    target = (demo_site / "nl/release-notes" / link.group(1) / "index.html").resolve()
    assert target.is_file() and "shift swap" in target.read_text(encoding="utf-8").lower()
