"""A customer accepts an invitation, signs in, submits as their account from the static
form (its address filled in, only their products listed) and finds the ticket in My
tickets; with JavaScript and without. Against a real `loket serve`."""

from __future__ import annotations

import email
import re
from email.policy import default as default_policy

import pytest
from playwright.sync_api import expect

from loket.services.accounts import invite
from loket.services.mail_dispatch import send_queued
from loket.services.organizations import create_organization
from loket.settings import Settings
from loket.wiring import build_services
from tests.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "marble kettle orbit 42 lantern"


def portal_services(portal):
    return build_services(Settings(config_dir=ROOT / "site_config", site_dir=ROOT / "no-site",
                                   sqlite_path=portal.var / "loket.db",
                                   outbox_dir=portal.var / "outbox", base_url=portal.url))


def invitation_link(portal, address: str) -> str:
    # Invited from this process, as the operator's CLI does, which sends what it queued.
    send_queued(portal_services(portal))
    for path in sorted((portal.var / "outbox").glob("*.eml"), reverse=True):
        mail = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if mail["To"] == address:
            text = mail.get_body(("plain",)).get_content()
            return re.search(r"(http://\S+/portal/invitations/\S+)", text).group(1)
    raise AssertionError(f"no invitation to {address}")


@pytest.fixture
def customer(portal, request):
    """A fresh organization and an invited customer with rights to planner only."""
    services = portal_services(portal)
    org = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-")
    create_organization(services, org, "Browser B.V.", products=["planner", "payroll"])
    address = f"{org}@browser.example"
    invite(services, address, organization=org, products=["planner"])
    return address


def accept(page, portal, address):
    page.goto(invitation_link(portal, address))
    page.fill("#loket-first_name", "Ann")
    page.fill("#loket-last_name", "de Vries")
    page.fill("#loket-password", PASSWORD)
    page.fill("#loket-password_again", PASSWORD)
    page.click(".loket-account-form button[type=submit]")
    expect(page.locator(".loket-my-tickets h1")).to_have_text("My tickets")


def test_invited_customer_submits_from_the_static_form_and_finds_it(portal, page, customer):
    accept(page, portal, customer)
    page.goto(f"{portal.url}/support/submit/")
    expect(page.locator("#loket-email")).to_have_value(customer)
    expect(page.locator("#loket-product option[value=payroll]")).to_have_count(0)
    page.select_option("#loket-type", "question")
    page.fill("#loket-subject", "Signed-in question from the browser")
    page.fill("#loket-description", "How do I export the roster?")
    page.click("button.loket-submit")
    receipt = page.locator(".loket-receipt")
    expect(receipt).to_contain_text("Ticket received")
    number = receipt.locator(".loket-number").inner_text()
    page.goto(f"{portal.url}/portal/my-tickets")
    expect(page.locator(f"tr[data-number='{number}']")).to_contain_text("Signed-in question")
    page.click(f"tr[data-number='{number}'] a")
    expect(page.locator(".loket-ticket-view h1")).to_contain_text(f"#{number}")
    page.goto(f"{portal.url}/portal/my-tickets")
    page.click("form.loket-logout button")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto(f"{portal.url}/portal/tickets/{number}")
    expect(page.locator("h1")).to_have_text("Ticket not found")


def test_without_javascript_sign_in_and_search(portal, page_without_js, customer):
    page = page_without_js
    accept(page, portal, customer)
    page.click("form.loket-logout button")
    page.fill("#loket-email", customer)
    page.fill("#loket-password", PASSWORD)
    page.click(".loket-account-form button[type=submit]")
    expect(page.locator(".loket-my-tickets h1")).to_have_text("My tickets")
    page.goto(f"{portal.url}/portal/tickets/new")
    expect(page.locator("#loket-email")).to_have_value(customer)
    page.select_option("#loket-product", "planner")
    page.select_option("#loket-type", "question")
    page.fill("#loket-subject", "No-JS signed-in ticket")
    page.fill("#loket-description", "Sent without JavaScript.")
    page.click("button.loket-submit")
    expect(page.locator(".loket-receipt-page h1")).to_have_text("Ticket received")
    page.goto(f"{portal.url}/portal/my-tickets?q=no-js")
    expect(page.locator(".loket-ticket-list tbody tr")).to_have_count(1)
