"""The ticket form suggests knowledge-base articles under the subject while the customer types."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def suggest_requests(page) -> list[dict]:
    seen = []
    page.on("request", lambda r: seen.append(parse_qs(urlparse(r.url).query))
            if "/api/suggest" in r.url else None)
    return seen


def test_typing_a_subject_suggests_the_article_that_answers_it(portal, page):
    requests = suggest_requests(page)
    page.goto(f"{portal.url}/support/submit/")
    page.select_option("#loket-product", "planner")
    subject = page.locator("#loket-subject")
    subject.press_sequentially("excel export file lock", delay=20)

    link = page.locator(".loket-suggest-list a").first
    expect(link).to_contain_text('Export to Excel fails with "The file is locked"')
    assert link.get_attribute("href") == f"{portal.url}/kb/planner/export-excel-file-locked/"
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    expect(link.locator(".loket-suggest-snippet mark").first).to_be_visible()
    expect(page.locator(".loket-field [role=status]")).to_have_text(
        re.compile(r"^\d articles? may answer your question$"))
    assert requests[-1] == {"q": ["excel export file lock"], "lang": ["en"],
                            "product": ["planner"]}


def test_suggestions_start_at_the_third_character_and_wait_for_a_pause(portal, page):
    requests = suggest_requests(page)
    page.goto(f"{portal.url}/support/submit/")
    page.locator("#loket-subject").press_sequentially("sep", delay=20)
    expect(page.locator(".loket-suggest-list a").first).to_contain_text("SEPA")
    # Nothing was asked for "s" or "se"; typing faster than the pause asks once.
    assert [r["q"] for r in requests] == [["sep"]]


def test_the_suggestions_are_reachable_by_keyboard(portal, page):
    page.goto(f"{portal.url}/support/submit/")
    subject = page.locator("#loket-subject")
    subject.press_sequentially("two factor", delay=20)
    links = page.locator(".loket-suggest-list a")
    expect(links.first).to_contain_text("two-factor authentication")
    subject.press("ArrowDown")
    expect(links.first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(subject).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".loket-suggest")).to_be_hidden()


def test_an_article_opens_in_a_new_tab_and_the_form_keeps_what_was_typed(portal, page):
    page.goto(f"{portal.url}/support/submit/")
    subject = page.locator("#loket-subject")
    subject.press_sequentially("sepa file rejected", delay=20)
    link = page.locator(".loket-suggest-list a").first
    expect(link).to_contain_text("SEPA")
    with page.context.expect_page() as opened:
        link.click()
    article = opened.value
    article.wait_for_load_state()
    expect(article.locator("h1")).to_contain_text("The SEPA payment file is rejected by the bank")
    expect(subject).to_have_value("sepa file rejected")


def test_the_dutch_form_suggests_dutch_articles_and_says_so_in_dutch(portal, page):
    requests = suggest_requests(page)
    page.goto(f"{portal.url}/nl/support/submit/")
    page.locator("#loket-subject").press_sequentially("loonstrook niet ontv", delay=20)
    link = page.locator(".loket-suggest-list a").first
    expect(link).to_contain_text("Loonstroken worden niet gemaild naar medewerkers")
    assert "payslips-not-emailed" in link.get_attribute("href")
    expect(page.locator(".loket-suggest-title")).to_have_text(
        "Artikelen die uw vraag misschien beantwoorden")
    expect(page.locator(".loket-field [role=status]")).to_have_text(
        re.compile(r"^(1 artikel kan|\d artikelen kunnen) uw vraag beantwoorden$"))
    assert requests[-1]["lang"] == ["nl"]
