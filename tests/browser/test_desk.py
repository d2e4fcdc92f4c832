"""An agent signs in, opens the desk's queue and a ticket, answers with a screenshot
attached, and the customer sees the answer with the file on their ticket page. In a
real browser against `loket serve`."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image
from playwright.sync_api import expect

from loket.domain.accounts import Role
from loket.services.accounts import invite
from loket.services.passwords import hash_password
from loket.services.submission import submit_ticket
from tests.browser.test_accounts import PASSWORD, portal_services

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AGENT = "browser-desk@nordwind.example"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), "orange").save(out, "PNG")
    return out.getvalue()


def test_an_agent_answers_from_the_desk_with_a_png(portal, page, chromium, tmp_path):
    services = portal_services(portal)
    account, _ = invite(services, AGENT, organization=None, products=["planner"],
                        role=Role.AGENT)
    services.store.save_account(replace(account, password_hash=hash_password(services, PASSWORD)))
    ticket = submit_ticket(services, {
        "email": "desk-customer@elsewhere.example", "product": "planner", "type": "question",
        "subject": "Where is the roster export?", "description": "I cannot find it."},
        client_address="browser-desk").ticket
    screenshot = tmp_path / "menu.png"
    screenshot.write_bytes(png())

    page.goto(f"{portal.url}/desk/")
    expect(page.locator("h1")).to_have_text("Sign in")  # sent to sign in first
    page.fill("#loket-email", AGENT)
    page.fill("#loket-password", PASSWORD)
    page.click(".loket-account-form button[type=submit]")
    row = page.locator(f"tr[data-number='{ticket.number}']")
    expect(row).to_contain_text("Where is the roster export?")
    row.locator("a").click()
    expect(page.locator(".loket-desk-ticket h1")).to_contain_text(f"#{ticket.number}")
    page.fill("#loket-desk-body", "It is under Reports; see the screenshot.")
    page.set_input_files("#loket-desk-files", str(screenshot))
    # Send, not the canned replies' Insert button beside it in the same form (#12).
    page.click(".loket-desk-reply button[type=submit]:not(.loket-canned-insert)")
    answer = page.locator(".loket-message--agent")
    expect(answer).to_contain_text("It is under Reports")
    expect(answer.locator(".loket-attachment")).to_contain_text("menu.png")

    customer = chromium.new_context()
    try:
        view = customer.new_page()
        view.goto(f"{portal.url}/portal/tickets/{ticket.number}?token={ticket.access_key}")
        reply = view.locator(".loket-message--agent")
        expect(reply).to_contain_text("It is under Reports; see the screenshot.")
        expect(reply.locator(".loket-attachment")).to_contain_text("menu.png")
        thumbnail = reply.locator("img.loket-thumbnail")
        expect(thumbnail).to_be_visible()
    finally:
        customer.close()
