"""Ticket status (/support/status/): with and without JavaScript the look-up leads to
the same full ticket page, where the customer adds information and closes the ticket."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def new_ticket(portal, subject: str) -> tuple[str, str]:
    body = json.dumps({"email": "ann@example.com", "product": "planner",
                       "type": "problem-report", "subject": subject,
                       "description": "The roster shows last week's shifts."}).encode()
    request = urllib.request.Request(f"{portal.url}/api/tickets", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        receipt = json.load(response)
    return str(receipt["number"]), receipt["token"]


@pytest.fixture(params=["javascript", "no-javascript"])
def browser_page(request):
    return request.getfixturevalue("page" if request.param == "javascript" else "page_without_js")


def look_up(page, portal, number: str, code: str) -> None:
    page.goto(f"{portal.url}/support/status/")
    page.fill("#loket-lookup-number", number)
    page.fill("#loket-lookup-token", code)
    page.click("form.loket-lookup button")


def test_the_look_up_leads_to_the_full_ticket_page(portal, browser_page):
    page = browser_page
    number, token = new_ticket(portal, "Roster shows last week")
    look_up(page, portal, number, "wrong-code")
    expect(page.get_by_text("There is no ticket with this number and access code.")).to_be_visible()

    look_up(page, portal, number, token)
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{number}\?token="))
    expect(page.locator(".loket-ticket-view h1")).to_contain_text(f"#{number}")
    expect(page.locator(".loket-status")).to_have_text("Open")

    page.fill("#loket-reply-body", "It started after the 4.2 update.")
    page.click("form.loket-reply button[type=submit]")
    expect(page.locator(".loket-message-body").last).to_contain_text("after the 4.2 update")

    page.click("form.loket-close button")
    expect(page.locator("form.loket-reopen")).to_be_visible()
    expect(page.locator("form.loket-close")).to_have_count(0)


def test_an_old_status_link_with_number_and_code_opens_the_ticket_page(portal, page):
    number, token = new_ticket(portal, "Export hangs at 99%")
    page.goto(f"{portal.url}/support/status/?ticket={number}&token={token}")
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{number}\?token="))
    expect(page.locator("form.loket-reply")).to_be_visible()
