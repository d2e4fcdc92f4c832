"""An agent works from the desk's views and search in a real browser without JavaScript
(against `loket serve`): the views with their counts, a search, a ticket opened from
the results. Screenshots at 1280 and 375 px go to the test's tmp_path (run with
--basetemp to look at them)."""

from __future__ import annotations

import secrets
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from loket.domain.accounts import Role
from loket.services.accounts import invite
from loket.services.passwords import hash_password
from loket.services.submission import submit_ticket
from tests.browser.test_accounts import PASSWORD, portal_services

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AGENT = "browser-views@nordwind.example"


def submit(services, subject: str, product: str = "planner") -> int:
    return submit_ticket(services, {
        "email": "views-customer@elsewhere.example", "product": product,
        "type": "question", "subject": subject, "description": "Seen at the customer's."},
        client_address=f"browser-views:{subject}").ticket.number


def test_an_agent_finds_tickets_through_views_and_search(portal, chromium, tmp_path):
    services = portal_services(portal)
    account, _ = invite(services, AGENT, organization=None, products=["planner"],
                        role=Role.AGENT)
    services.store.save_account(replace(account, password_hash=hash_password(services, PASSWORD)))
    # The session's portal holds other tests' roster tickets: a word of this one's own.
    marker = f"ref{secrets.token_hex(4)}"
    mine = submit(services, f"Roster export shows the wrong week ({marker})")
    other = submit(services, "Payroll slip in the wrong language", product="payroll")

    context = chromium.new_context(java_script_enabled=False,
                                   viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{portal.url}/desk/views/new")
    page.fill("#loket-email", AGENT)
    page.fill("#loket-password", PASSWORD)
    page.click(".loket-account-form button[type=submit]")
    page.goto(f"{portal.url}/desk/views/new")
    expect(page.locator(f"tr[data-number='{mine}']")).to_contain_text("Roster export")
    expect(page.locator(f"tr[data-number='{other}']")).to_have_count(0)
    expect(page.locator(".loket-views a[aria-current=page]")).to_contain_text("New for my boards")
    page.screenshot(path=tmp_path / "views-1280.png", full_page=True)

    page.click(".loket-views a[href^='/desk/views/unassigned']")
    expect(page.locator(f"tr[data-number='{mine}']")).to_be_visible()
    page.goto(f"{portal.url}/desk/search")
    page.fill("#loket-search-q", marker)
    page.click(".loket-search button[type=submit]")
    expect(page.locator("tr[data-number]")).to_have_count(1)
    page.screenshot(path=tmp_path / "search-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=tmp_path / "search-375.png", full_page=True)
    page.goto(f"{portal.url}/desk/views/new")
    page.screenshot(path=tmp_path / "views-375.png", full_page=True)
    page.locator(f"tr[data-number='{mine}'] a").click()
    expect(page.locator(".loket-desk-ticket h1")).to_contain_text(f"#{mine}")
    context.close()
