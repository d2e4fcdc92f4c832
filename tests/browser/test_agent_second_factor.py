"""An agent's first sign-in with a second factor, in Chromium against `loket serve`
with `accounts.agents_second_factor` on: the QR code loads as an image under the strict
CSP, the code from an authenticator (pyotp, as an app computes it) opens the desk after
the recovery codes; then a canned reply goes into the reply box at the cursor (desk.js)
without leaving the page. (#12)"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pyotp
import pytest
import yaml
from playwright.sync_api import expect

from loket.domain.accounts import Role
from loket.services.accounts import invite
from loket.services.passwords import hash_password
from loket.services.submission import submit_ticket
from loket.settings import Settings
from loket.wiring import build_services
from tests.browser.conftest import Portal, serve_portal
from tests.browser.test_accounts import PASSWORD
from tests.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AGENT = "totp-desk@nordwind.example"


@pytest.fixture(scope="module")
def strict_portal(built_site, tmp_path_factory):
    """`loket serve` with a copy of site_config/ whose agents need a second factor."""
    var = tmp_path_factory.mktemp("var-2fa")
    config = var / "site_config"
    shutil.copytree(ROOT / "site_config", config, ignore=shutil.ignore_patterns(".compiled"))
    portal_file = config / "portal.yml"
    data = yaml.safe_load(portal_file.read_text())
    data["accounts"]["agents_second_factor"] = True
    portal_file.write_text(yaml.safe_dump(data, allow_unicode=True))
    yield from serve_portal(built_site, var, LOKET_CONFIG_DIR=str(config))


def services_of(portal: Portal):
    return build_services(Settings(config_dir=portal.var / "site_config",
                                   site_dir=ROOT / "no-site", sqlite_path=portal.var / "loket.db",
                                   outbox_dir=portal.var / "outbox", base_url=portal.url))


def test_an_agent_sets_up_totp_then_inserts_a_canned_reply(strict_portal, page):
    services = services_of(strict_portal)
    account, _ = invite(services, AGENT, organization=None, products=["planner"],
                        role=Role.AGENT)
    services.store.save_account(replace(account, first_name="Tess", last_name="Otp",
                                        password_hash=hash_password(services, PASSWORD)))
    ticket = submit_ticket(services, {
        "email": "caller@elsewhere.example", "product": "planner", "type": "question",
        "subject": "Roster export is empty", "description": "Nothing in the file."},
        client_address="browser-2fa").ticket

    page.goto(f"{strict_portal.url}/portal/login?next=/desk/tickets/{ticket.number}")
    page.fill("#loket-email", AGENT)
    page.fill("#loket-password", PASSWORD)
    page.click(".loket-account-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    qr = page.locator(".loket-qr img")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # the SVG loaded
    key = services.store.get_account(AGENT).second_factor.secret
    page.fill("#loket-code", pyotp.TOTP(key).now())
    page.click(".loket-second-factor button[type=submit]")
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator(".loket-codes li")).to_have_count(10)
    page.click(".loket-recovery-codes a.md-button")

    expect(page.locator(".loket-desk-ticket h1")).to_contain_text(f"#{ticket.number}")
    box = page.locator("#loket-desk-body")
    box.fill("Hello,")
    page.select_option("#loket-desk-canned", "send-logs")
    url = page.url
    page.click(".loket-canned-insert")
    text = box.input_value()
    assert text.startswith("Hello,\n\nDear caller@elsewhere.example,"), text
    assert f"ticket {ticket.number}" in text and "Tess Otp" in text
    assert page.url == url  # inserted in place: no round trip
