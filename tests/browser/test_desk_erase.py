"""A desk admin erases a requester in Chromium against `loket serve` (a copy of
site_config/ naming them in accounts.desk_admins): from the ticket to the confirmation
page, a wrong address told in place, then "Erase queued" on the list of erasures; on a
desktop and a phone, under the strict CSP (the `page` fixture fails on a violation).
Screenshots of each page go to the test's tmp_path, to look at. (#15)"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
import yaml
from playwright.sync_api import expect

from loket.domain.accounts import Role
from loket.services.accounts import invite
from loket.services.passwords import hash_password
from loket.services.submission import submit_ticket
from tests.browser.conftest import serve_portal
from tests.browser.test_accounts import PASSWORD
from tests.browser.test_agent_second_factor import services_of
from tests.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ADMIN = "erase-admin@nordwind.example"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# One person a size: the portal is shared, and a second erasure of a waiting address
# is refused.
PEOPLE = {size: f"leaving-{size}@elsewhere.example" for size in SIZES}


@pytest.fixture(scope="module")
def admin_portal(built_site, tmp_path_factory):
    var = tmp_path_factory.mktemp("var-erase")
    config = var / "site_config"
    shutil.copytree(ROOT / "site_config", config, ignore=shutil.ignore_patterns(".compiled"))
    portal_file = config / "portal.yml"
    data = yaml.safe_load(portal_file.read_text())
    data["accounts"]["desk_admins"] = [ADMIN]
    portal_file.write_text(yaml.safe_dump(data, allow_unicode=True))
    yield from serve_portal(built_site, var, LOKET_CONFIG_DIR=str(config))


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_queues_an_erasure_from_the_ticket(admin_portal, page, size, tmp_path):
    services, person = services_of(admin_portal), PEOPLE[size]
    if services.store.get_account(ADMIN) is None:
        account, _ = invite(services, ADMIN, organization=None, products=["planner"],
                            role=Role.AGENT)
        services.store.save_account(replace(account, password_hash=hash_password(services,
                                                                                 PASSWORD)))
    ticket = submit_ticket(services, {
        "email": person, "product": "planner", "type": "question",
        "subject": "Please delete my data", "description": "I am leaving the company."},
        client_address=f"browser-erase-{size}").ticket
    page.set_viewport_size(SIZES[size])

    page.goto(f"{admin_portal.url}/desk/tickets/{ticket.number}")
    page.fill("#loket-email", ADMIN)
    page.fill("#loket-password", PASSWORD)
    page.click(".loket-account-form button[type=submit]")
    page.click(".loket-erase-link")
    expect(page.locator("h1")).to_have_text(f"Erase {person}")
    expect(page.locator(".loket-erase-list")).to_contain_text("they asked for")
    page.screenshot(path=tmp_path / f"erase-confirm-{size}.png", full_page=True)

    page.fill("#loket-erase-confirm", "someone@else.example")
    page.click(".loket-desk-erase-form button[type=submit]")
    expect(page.locator("#loket-erase-confirm-error")).to_contain_text("exactly as shown")
    page.screenshot(path=tmp_path / f"erase-refused-{size}.png", full_page=True)

    page.check("#loket-erase-text")
    page.fill("#loket-erase-confirm", person)
    page.click(".loket-desk-erase-form button[type=submit]")
    expect(page.locator(".loket-note[role=status]")).to_contain_text("Erase queued")
    expect(page.locator("tr.loket-erasure--new")).to_contain_text(ADMIN if size == "desktop"
                                                                  else "text of messages too")
    page.screenshot(path=tmp_path / f"erasures-{size}.png", full_page=True)
    # Opened from the ticket, the flow leads back to it.
    page.click(f"a[href^='/desk/tickets/{ticket.number}?']")
    expect(page.locator("h1")).to_contain_text(f"#{ticket.number}")

    page.goto(f"{admin_portal.url}/desk/people/?address={person}")
    expect(page.locator(".loket-person-facts")).to_contain_text("Tickets they asked for")
    page.screenshot(path=tmp_path / f"person-{size}.png", full_page=True)
