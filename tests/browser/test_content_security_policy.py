"""The main pages run under their Content-Security-Policy with no violation: the site's
pages (Material's inline scripts allowed by hash, its search worker), the ticket form
with suggestions, the status page, signing in, my tickets and the desk. Against a real
`loket serve` in Chromium."""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import expect

from loket.domain.accounts import Role
from loket.services.accounts import invite
from loket.services.organizations import create_organization
from loket.services.passwords import hash_password
from tests.browser.conftest import csp_violations
from tests.browser.test_accounts import PASSWORD, portal_services

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def watched(page):
    """The page, and Chromium's reports of its CSP violations (the `page` fixture fails
    any test on them; here each test asserts them itself, where it ends)."""
    return page, page.csp_reports


def violations(page, reports) -> list[str]:
    return csp_violations(page, reports)


def sign_in(page, portal, address: str, next_path: str) -> None:
    page.goto(f"{portal.url}/portal/login?next={next_path}")
    page.fill("#loket-email", address)
    page.fill("#loket-password", PASSWORD)
    page.click(".loket-account-form button[type=submit]")


def active_account(portal, address: str, **invitation) -> None:
    services = portal_services(portal)
    account, _ = invite(services, address, **invitation)
    services.store.save_account(replace(account,
                                        password_hash=hash_password(services, PASSWORD)))


def test_the_site_pages_and_its_search_run_under_the_policy(portal, watched):
    page, reports = watched
    response = page.goto(f"{portal.url}/")
    assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]
    page.keyboard.press("/")  # Material's search: its worker loads the index.
    page.locator("input[data-md-component=search-query]").press_sequentially("excel", delay=30)
    expect(page.locator(".md-search-result__item").first).to_be_visible()
    page.goto(f"{portal.url}/kb/planner/export-excel-file-locked/")
    expect(page.locator("h1")).to_contain_text("Export to Excel")
    page.goto(f"{portal.url}/nl/")
    assert violations(page, reports) == []


def test_the_form_with_suggestions_and_the_status_page_run_under_the_policy(portal, watched):
    page, reports = watched
    page.goto(f"{portal.url}/support/submit/")
    page.select_option("#loket-product", "planner")
    page.locator("#loket-subject").press_sequentially("excel export file lock", delay=20)
    expect(page.locator(".loket-suggest-list a").first).to_be_visible()
    page.goto(f"{portal.url}/support/status/")
    page.goto(f"{portal.url}/portal/login")
    expect(page.locator("h1")).to_have_text("Sign in")
    assert violations(page, reports) == []


def test_my_tickets_and_the_desk_run_under_the_policy(portal, watched):
    page, reports = watched
    services = portal_services(portal)
    create_organization(services, "csp-org", "CSP B.V.", products=["planner"])
    active_account(portal, "csp-customer@browser.example", organization="csp-org",
                   products=["planner"])
    active_account(portal, "csp-agent@nordwind.example", organization=None,
                   products=["planner"], role=Role.AGENT)
    sign_in(page, portal, "csp-customer@browser.example", "/portal/my-tickets")
    expect(page.locator(".loket-my-tickets h1")).to_have_text("My tickets")
    page.context.clear_cookies()
    sign_in(page, portal, "csp-agent@nordwind.example", "/desk/")
    expect(page.locator(".loket-desk-filter")).to_be_visible()
    assert violations(page, reports) == []
