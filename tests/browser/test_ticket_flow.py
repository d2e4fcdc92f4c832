"""A customer submits a ticket on the built site and looks it up, in a real browser."""

from __future__ import annotations

import email
import re
import time
from email.policy import default as default_policy

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def fill_ticket_form(page, subject: str) -> None:
    page.fill("#loket-email", "ann@example.com")
    page.select_option("#loket-product", "planner")
    page.select_option("#loket-type", "problem-report")
    page.fill("#loket-subject", subject)
    page.fill("#loket-description", "Clicking Export shows 'file is locked'.")
    page.select_option("#loket-environment", "production")
    page.fill("#loket-users_affected", "4")


def outbox_subjects(portal) -> list[str]:
    return [email.message_from_bytes(p.read_bytes(), policy=default_policy)["Subject"]
            for p in sorted((portal.var / "outbox").glob("*.eml"))]


def receipt_arrives(portal, number: str, deadline_s: float = 30) -> bool:
    """Whether the receipt reaches the outbox: the server's mail process sends it a
    moment after the request (a deadline for another process, not a timing check)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if any(f"[#{number}]" in s for s in outbox_subjects(portal)):
            return True
        time.sleep(0.05)
    return False


def test_submit_with_javascript_shows_the_receipt_in_place(portal, page):
    page.goto(f"{portal.url}/support/submit/")
    fill_ticket_form(page, "Export to Excel fails (browser, JS)")
    page.click("button.loket-submit")
    receipt = page.locator(".loket-receipt")
    expect(receipt).to_be_visible()
    expect(receipt).to_contain_text("Ticket received")
    number = receipt.locator(".loket-number").inner_text()
    assert re.fullmatch(r"\d{5,}", number)
    expect(page.locator("form.loket-form")).to_be_hidden()
    assert receipt_arrives(portal, number)

    page.click("a.loket-follow")
    expect(page.locator(".loket-ticket-view h1")).to_contain_text(f"#{number}")
    expect(page.locator(".loket-status")).to_have_text("Open")
    expect(page.locator(".loket-message-body")).to_contain_text("file is locked")


def test_submit_without_javascript_gets_the_receipt_page(portal, page_without_js):
    page = page_without_js
    page.goto(f"{portal.url}/support/submit/")
    fill_ticket_form(page, "Export to Excel fails (browser, no JS)")
    page.click("button.loket-submit")
    expect(page.locator(".loket-receipt-page")).to_contain_text("Ticket received")
    number = page.locator(".loket-number").inner_text()
    # The server's page sits in the site's own shell: same header, same styles.
    expect(page.locator("header.md-header")).to_be_visible()
    page.click("a.loket-follow")
    expect(page.locator(".loket-ticket-view h1")).to_contain_text(f"#{number}")
    expect(page.locator(".loket-status")).to_have_text("Open")
