"""Two agents on one ticket in real browsers (#12): each sees that the other has it
open; when one changes the status, the other's page says so, and the reply typed on
the now stale page is held back with its text kept and the ticket shown as it is. The
timeline lists each step. Screenshots of the ticket page and the satisfaction report
at 1280 and 375 px go to $DESK_SCREENSHOTS when it is set. CSP: the page fixture fails
on any violation (desk_presence.js is an external file)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import expect

from loket.domain.accounts import Role
from loket.services.accounts import invite
from loket.services.passwords import hash_password
from loket.services.submission import submit_ticket
from tests.browser.test_accounts import PASSWORD, portal_services

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FIRST, SECOND = "record-one@nordwind.example", "record-two@nordwind.example"
SEND = ".loket-desk-reply button[type=submit]:not(.loket-canned-insert)"


def agent(services, address):
    account, _ = invite(services, address, organization=None, products=["planner"],
                        role=Role.AGENT)
    services.store.save_account(replace(account, password_hash=hash_password(services, PASSWORD)))


def sign_in(tab, url, address):
    tab.goto(f"{url}/portal/login")
    tab.fill("#loket-email", address)
    tab.fill("#loket-password", PASSWORD)
    tab.click(".loket-account-form button[type=submit]")
    expect(tab.locator(".loket-desk h1")).to_have_text("Agent desk")


def shoot(tab, name: str) -> None:
    folder = os.environ.get("DESK_SCREENSHOTS")
    if not folder:
        return
    for width in (1280, 375):
        tab.set_viewport_size({"width": width, "height": 900})
        tab.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    tab.set_viewport_size({"width": 1280, "height": 900})


def test_two_agents_on_one_ticket_see_each_other_and_a_stale_reply_is_held(portal, page,
                                                                           chromium):
    services = portal_services(portal)
    agent(services, FIRST)
    agent(services, SECOND)
    ticket = submit_ticket(services, {
        "email": "record-customer@elsewhere.example", "product": "planner",
        "type": "question", "subject": "Roster export is empty",
        "description": "The file has headers only."}, client_address="browser-record").ticket
    url = f"{portal.url}/desk/tickets/{ticket.number}"
    sign_in(page, portal.url, FIRST)
    page.goto(url)
    other_context = chromium.new_context()
    try:
        other = other_context.new_page()
        sign_in(other, portal.url, SECOND)
        other.goto(url)
        expect(other.locator(".loket-presence")).to_contain_text(f"{FIRST} has this ticket open")
        page.fill("#loket-desk-body", "Which version do you run?")
        other.select_option("#loket-desk-status", "waiting-on-customer")
        other.click(".loket-desk-status button[type=submit]")
        expect(other.locator(".loket-timeline")).to_contain_text(SECOND)
        # The first agent's page polls when it comes back into view.
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(page.locator(".loket-presence")).to_contain_text(f"{SECOND} — Status")
        shoot(page, "desk-ticket-presence")
    finally:
        other_context.close()
    page.click(SEND)
    expect(page.locator(".loket-error")).to_contain_text("the ticket changed since you opened it")
    expect(page.locator("#loket-desk-body")).to_have_value("Which version do you run?")
    expect(page.locator(".loket-facts .loket-status").first).to_contain_text("Waiting")
    page.click(SEND)  # the page is fresh now: sent
    expect(page.locator(".loket-message--agent")).to_contain_text("Which version do you run?")
    timeline = page.locator(".loket-timeline")
    expect(timeline).to_contain_text("Replied to the customer: Which version do you run?")
    expect(timeline).to_contain_text("Submitted the ticket")
    shoot(page, "desk-ticket")
    page.goto(f"{portal.url}/desk/reports")
    expect(page.locator("h1")).to_have_text("Satisfaction report")
    shoot(page, "desk-reports")
