"""The request-dependent parts of the page shell: the header's portal links (who is
signed in) and a language switcher that keeps the page."""

from __future__ import annotations

from flask import Flask

from loket.web.rendering import SHELL_MARKER, PageShell
from loket.web.shell_parts import alternates

HEADER = """<nav class="md-header__option loket-portal-links" aria-label="My tickets">
  <a class="loket-portal-link" href="/portal/login?lang=en" target="_self">Sign in</a>
</nav>
<ul><li><a href="/support/page/" hreflang="en" lang="en" target="_self" class="md-select__link">English</a></li>
<li><a href="/nl/support/page/" hreflang="nl" lang="nl" target="_self" class="md-select__link">Nederlands</a></li></ul>"""


def shell(tmp_path) -> PageShell:
    page = tmp_path / "support" / "page" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f"<html><head><title>x</title></head><body>{HEADER}{SHELL_MARKER}</body></html>",
                    encoding="utf-8")
    return PageShell(tmp_path)


def test_the_header_links_of_the_request_replace_the_static_ones(tmp_path):
    html = shell(tmp_path).wrap("<p>x</p>", title="t", lang="en",
                                header_links='<nav class="loket-portal-links">Ann · Sign out</nav>')
    assert "Ann · Sign out" in html and "/portal/login?lang=en" not in html


def test_the_switcher_links_to_this_page_in_the_other_language(tmp_path):
    html = shell(tmp_path).wrap("<p>x</p>", title="t", lang="en", alternates={
        "en": "/portal/tickets/7?token=a%26b&lang=en", "nl": "/portal/tickets/7?token=a%26b&lang=nl"})
    assert '<a href="/portal/tickets/7?token=a%26b&amp;lang=nl" hreflang="nl"' in html
    assert '<a href="/portal/tickets/7?token=a%26b&amp;lang=en" hreflang="en"' in html
    assert "/nl/support/page/" not in html


def test_without_request_parts_the_shell_stays_as_built(tmp_path):
    html = shell(tmp_path).wrap("<p>x</p>", title="t", lang="en")
    assert "/portal/login?lang=en" in html and 'href="/nl/support/page/"' in html


def app() -> Flask:
    flask = Flask(__name__)
    flask.add_url_rule("/portal/login", "login", lambda: "", methods=["GET", "POST"])
    flask.add_url_rule("/portal/tickets", "submit", lambda: "", methods=["POST"])
    return flask


def test_alternates_keep_the_query_and_change_only_the_language():
    with app().test_request_context("/portal/tickets/7?token=a&lang=nl&q=x y"):
        assert alternates() == {"en": "/portal/tickets/7?token=a&q=x+y&lang=en",
                                "de": "/portal/tickets/7?token=a&q=x+y&lang=de",
                                "nl": "/portal/tickets/7?token=a&q=x+y&lang=nl"}


def test_a_form_answer_links_to_its_page_when_it_can_be_shown():
    with app().test_request_context("/portal/login?lang=en", method="POST"):
        assert alternates()["nl"] == "/portal/login?lang=nl"
    with app().test_request_context("/portal/tickets", method="POST"):
        assert alternates() == {}  # No page to show there: the shell's own links stay.
