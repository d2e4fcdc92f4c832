"""The knowledge base's header (static MkDocs pages) says who is signed in, as the
portal's own pages do (issue #11): the sign-in leaves a hint cookie, portal.js asks
/api/session and shows the name, My tickets and Sign out, under the strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts import accept, customer  # noqa: F401 (a fixture)
from tests.paths import ROOT

SHOTS = ROOT / "build" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_signed_in_customer_sees_their_name_on_the_knowledge_base(portal, page, customer):
    page.goto(f"{portal.url}/kb/")
    header = page.locator("nav.loket-portal-links")
    expect(header.locator(".loket-portal-who")).to_have_count(0)  # Nobody signed in yet.
    accept(page, portal, customer)

    page.goto(f"{portal.url}/nl/kb/")
    expect(header.locator(".loket-portal-who")).to_have_text("Ann de Vries")
    expect(header.locator("a[href='/portal/my-tickets?lang=nl']")).to_have_text("Mijn meldingen")
    expect(header.locator("a[href='/desk/']")).to_have_count(0)  # A customer: no desk.
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):  # For people to look at (build/screenshots/, not committed).
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(SHOTS / f"kb-header-signed-in-nl-{width}.png"))

    header.locator("form.loket-portal-logout button").click()
    page.goto(f"{portal.url}/kb/")
    expect(header.locator("a[href='/portal/login?lang=en']")).to_have_text("Sign in")
    expect(header.locator(".loket-portal-who")).to_have_count(0)
    assert "loket_signed_in" not in page.evaluate("document.cookie")
