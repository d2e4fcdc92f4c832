"""'This affects me too' in a real browser (#16): a signed-in customer opens a known
issue's page on the site, follows its button to the portal, and links a new ticket;
with JavaScript and without, no CSP violation (the page fixtures check). Against a real
`loket serve` over the built site (its known-issues.json)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts import accept, customer, portal_services  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def affects_me(page, portal, address) -> int:
    accept(page, portal, address)
    page.goto(f"{portal.url}/known-issues/PLN-142/")
    expect(page.locator("dl.loket-known-issue")).to_contain_text("Fix planned")
    page.click("form.loket-affects-me button")
    expect(page.locator(".loket-affects-me-page h1")).to_have_text("This affects me too")
    page.check("#loket-affects-new")
    page.click(".loket-affects-me-page button[type=submit]")
    expect(page.locator(".loket-ticket-view h1")).to_contain_text("PLN-142")
    return int(re.search(r"/portal/tickets/(\d+)", page.url).group(1))


def check_linked(portal, customer, number: int) -> None:
    services = portal_services(portal)
    assert services.store.known_issue_tickets("PLN-142").count(number) == 1
    assert services.store.get_ticket(number).email == customer


def test_affected_with_js(portal, page, customer):
    check_linked(portal, customer, affects_me(page, portal, customer))


def test_affected_without_js(portal, page_without_js, customer):
    check_linked(portal, customer, affects_me(page_without_js, portal, customer))
