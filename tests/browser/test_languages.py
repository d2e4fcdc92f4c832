"""A Dutch-speaking customer switches the site to Dutch and gets everything in Dutch."""

from __future__ import annotations

import email
import re
import time
from email.policy import default as default_policy

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def fill_dutch_ticket(page, subject: str) -> None:
    page.fill("#loket-email", "anne@example.nl")
    page.select_option("#loket-product", "payroll")
    page.select_option("#loket-type", "question")
    page.fill("#loket-subject", subject)
    page.fill("#loket-description", "Twee medewerkers kregen hun loonstrook niet per e-mail.")


def receipt_subject(portal, number: str, deadline_s: float = 30) -> str:
    """The receipt's subject, once the server's mail process has sent it (a deadline for
    another process, not a timing check)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for path in sorted((portal.var / "outbox").glob("*.eml")):
            subject = email.message_from_bytes(path.read_bytes(),
                                               policy=default_policy)["Subject"]
            if f"[#{number}]" in subject:
                return subject
        time.sleep(0.05)
    raise AssertionError(f"no e-mail about ticket {number} in the outbox")


def test_switching_to_dutch_gives_the_dutch_form_receipt_and_e_mail(portal, page):
    page.goto(f"{portal.url}/support/submit/")
    expect(page.locator("label[for='loket-email']")).to_contain_text("Your e-mail address")

    page.hover(".md-header__option .md-select")  # The language menu opens on hover.
    page.click(".md-select__link[hreflang='nl']")
    expect(page).to_have_url(f"{portal.url}/nl/support/submit/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_contain_text("Melding maken")
    expect(page.locator("label[for='loket-email']")).to_contain_text("Uw e-mailadres")
    expect(page.locator("#loket-type option[value='question']")).to_have_text("Vraag")

    fill_dutch_ticket(page, "Loonstroken niet ontvangen")
    page.click("button.loket-submit")
    receipt = page.locator(".loket-receipt")
    expect(receipt).to_contain_text("Melding ontvangen")
    number = receipt.locator(".loket-number").inner_text()
    assert re.fullmatch(r"\d{5,}", number)
    expect(receipt.locator(".loket-status")).to_have_text("Open")
    assert "Wij hebben uw melding ontvangen" in receipt_subject(portal, number)


def test_without_javascript_the_dutch_receipt_sits_in_the_dutch_shell(portal, page_without_js):
    page = page_without_js
    page.goto(f"{portal.url}/nl/support/submit/")
    fill_dutch_ticket(page, "Loonstroken niet ontvangen (zonder JavaScript)")
    page.click("button.loket-submit")
    expect(page.locator(".loket-receipt-page")).to_contain_text("Melding ontvangen")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("header.md-header")).to_be_visible()
    expect(page.locator(".md-tabs__link").first).to_have_text("Start")  # The Dutch navigation.
    # The shell's own links and styles still resolve under /portal/.
    styles = page.evaluate("[...document.styleSheets].filter(s => s.href).length")
    assert styles > 0
    number = page.locator(".loket-number").inner_text()
    assert "Wij hebben uw melding ontvangen" in receipt_subject(portal, number)


def test_without_javascript_the_dutch_status_page_shows_the_ticket_in_dutch(portal, page_without_js):
    page = page_without_js
    page.goto(f"{portal.url}/nl/support/submit/")
    fill_dutch_ticket(page, "Jaaropgaaf klopt niet")
    page.click("button.loket-submit")
    follow = page.locator("a.loket-follow").get_attribute("href")
    number, token = re.search(r"/tickets/(\d+)\?token=([^&]+)", follow).groups()

    page.goto(f"{portal.url}/nl/support/status/")
    page.fill("#loket-lookup-number", number)
    page.fill("#loket-lookup-token", token)
    page.click("form.loket-lookup button")
    view = page.locator(".loket-ticket-view")
    expect(view.locator("h1")).to_contain_text(f"#{number} Jaaropgaaf klopt niet")
    expect(view.locator("h2")).to_have_text("Gesprek")
    expect(page.locator("label[for='loket-reply-body']")).to_have_text("Informatie toevoegen")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
