"""Every portal page, in English and Dutch, as a customer sees it in Chromium: axe-core
finds no serious or critical accessibility violation, form controls and tables are
visibly styled (Material's look, not the browser's bare one), and a screenshot of each
page at 1280 and 375 px wide goes to build/screenshots/ for people to look at."""

from __future__ import annotations

import email
import re
import time
from email.policy import default as default_policy

import pytest
from playwright.sync_api import expect

from loket.services.accounts import invite
from loket.services.organizations import create_organization
from loket.services.ratings import rating_link
from tests.browser.conftest import csp_violations, watch_csp
from tests.browser.test_accounts import PASSWORD, portal_services
from tests.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "build" / "screenshots"
WIDTHS = (1280, 375)
SERIOUS = ("serious", "critical")

# The styles a page's controls and tables get from portal.css on top of Material's:
# a browser's own look has no border on a table cell and a 2px inset one on an input.
STYLE_PROBE = """() => {
  const shown = el => el.offsetParent !== null && el.type !== 'hidden' && el.type !== 'file'
    && el.type !== 'checkbox' && el.type !== 'radio' && !el.closest('.loket-hp');
  const box = el => { const s = getComputedStyle(el); return {
    what: el.tagName + (el.id ? '#' + el.id : ''), border: s.borderTopStyle,
    borderWidth: parseFloat(s.borderTopWidth), width: el.getBoundingClientRect().width,
    radius: parseFloat(s.borderTopLeftRadius), padding: parseFloat(s.paddingLeft) }; };
  return {
    controls: [...document.querySelectorAll('main input, main select, main textarea')]
      .filter(shown).map(box),
    cells: [...document.querySelectorAll('main table th, main table td')].map(box),
    tablesWrapped: [...document.querySelectorAll('main table')]
      .every(t => t.closest('.md-typeset__table')),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page. The script goes in
    through the DevTools protocol (page.evaluate), which the page's CSP does not govern,
    so the page keeps its own policy while it is checked."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map(v => ({ id: v.id, impact: v.impact,
        targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }));
    }""")
    return [v for v in result if v["impact"] in SERIOUS]


def unstyled(probe: dict) -> list[str]:
    problems = []
    for control in probe["controls"]:
        # Material's look: a thin solid border, rounded, padded, not the inset default.
        if control["border"] != "solid" or control["padding"] < 4 or control["width"] < 60:
            problems.append(f"control {control['what']} looks bare: {control}")
    for cell in probe["cells"]:
        if cell["padding"] < 4:
            problems.append(f"table cell {cell['what']} has no Material padding: {cell}")
    if not probe["tablesWrapped"]:
        problems.append("a table is not in .md-typeset__table (Material's table style)")
    if probe["overflow"] > 1:
        problems.append(f"the page is {probe['overflow']}px wider than the window")
    return problems


class Inspector:
    """Looks at each page: axe, the style probe and screenshots at both widths."""

    def __init__(self, lang: str):
        self.lang = lang
        self.findings: dict[str, list] = {}
        SHOTS.mkdir(parents=True, exist_ok=True)

    def look(self, page, name: str) -> None:
        found = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SHOTS / f"{name}-{self.lang}-{width}.png"), full_page=True)
            found += [f"{width}px: {p}" for p in unstyled(page.evaluate(STYLE_PROBE))]
        found += [f"axe {v['impact']} {v['id']} at {v['targets']}" for v in run_axe(page)]
        self.findings[name] = found

    def report(self) -> str:
        return "\n".join(f"{name}: {problem}" for name, problems in self.findings.items()
                         for problem in problems)


def mail_link(portal, address: str, pattern: str, deadline_s: float = 30) -> str:
    """A link from the newest mail to `address`; the server's mail process sends it a
    moment after the request (a deadline for another process, not a timing check)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for path in sorted((portal.var / "outbox").glob("*.eml"), reverse=True):
            mail = email.message_from_bytes(path.read_bytes(), policy=default_policy)
            if mail["To"] == address:
                found = re.search(pattern, mail.get_body(("plain",)).get_content())
                if found:
                    return found.group(0)
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address} with {pattern}")


def refused_in_the_pages_language(page, lang: str) -> None:
    """The script's form shows the API's refusal as the page's language's sentence."""
    page.fill("#loket-email", "ann@example.com")
    page.select_option("#loket-product", "planner")
    page.select_option("#loket-type", "question")
    page.fill("#loket-subject", "\u200b")  # Passes the browser's check, not the server's.
    page.fill("#loket-description", "How do I export?")
    page.click("button.loket-submit")
    expect(page.locator("#loket-subject-error")).to_have_text({
        "en": "Write some text here: this has no visible character.",
        "nl": "Schrijf hier wat tekst: dit bevat geen zichtbaar teken.",
        "de": "Schreiben Sie hier einen Text: Dies enthält kein sichtbares Zeichen."}[lang])


def header_says_who_and_switcher_keeps_the_page(page, lang: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    header = page.locator("header .loket-portal-links")
    expect(header.locator(".loket-portal-who")).to_have_text("Ann de Vries")
    expect(header.locator("button")).to_have_text(
        {"en": "Sign out", "nl": "Uitloggen", "de": "Abmelden"}[lang])
    expect(header.locator("a[href='/desk/']")).to_have_count(0)  # Not an agent.
    other = "nl" if lang == "en" else "en"
    switch = page.locator(f"a.md-select__link[hreflang={other}]")
    expect(switch).to_have_attribute("href", f"/portal/my-tickets?lang={other}")


@pytest.fixture(params=["en", "nl", "de"])
def lang(request):
    return request.param


def test_every_portal_page_is_accessible_and_styled(portal, chromium, lang):
    services = portal_services(portal)
    org = f"look-{lang}"
    create_organization(services, org, "Look B.V.", products=["planner", "payroll"])
    address = f"{org}@browser.example"
    _, invitation = invite(services, address, organization=org, products=["planner"],
                           language=lang)
    context = chromium.new_context()
    page = context.new_page()
    reports = watch_csp(page)
    seen = Inspector(lang)
    home = "" if lang == "en" else f"/{lang}"
    q = f"?lang={lang}"
    try:
        page.goto(f"{portal.url}{home}/support/submit/")
        seen.look(page, "ticket-form")
        refused_in_the_pages_language(page, lang)
        seen.look(page, "ticket-form-errors")
        page.goto(f"{portal.url}/portal/lookup{q}")
        seen.look(page, "lookup")
        page.goto(f"{portal.url}/portal/login{q}")
        seen.look(page, "sign-in")
        page.fill("#loket-email", "not an address")
        page.click(".loket-account-form button[type=submit]")
        # A whole sentence in the page's language, not the validator's English fragment.
        expect(page.locator("#loket-email-error")).to_have_text({
            "en": "The e-mail address or the password is not right.",
            "nl": "Het e-mailadres of het wachtwoord klopt niet.",
            "de": "Die E-Mail-Adresse oder das Passwort stimmt nicht."}[lang])
        seen.look(page, "sign-in-errors")
        page.goto(f"{portal.url}/portal/password-reset{q}")
        seen.look(page, "reset-ask")
        # The link may not name the language yet (#11's invitation mails do that).
        page.goto(invitation if "lang=" in invitation else f"{invitation}{q}")
        seen.look(page, "welcome")
        page.fill("#loket-first_name", "Ann")
        page.fill("#loket-last_name", "de Vries")
        page.fill("#loket-password", PASSWORD)
        page.fill("#loket-password_again", PASSWORD)
        page.click(".loket-account-form button[type=submit]")
        expect(page.locator(".loket-my-tickets")).to_be_visible()
        header_says_who_and_switcher_keeps_the_page(page, lang)
        page.goto(f"{portal.url}/portal/tickets/new{q}")
        seen.look(page, "new-ticket")
        page.select_option("#loket-type", "question")
        page.fill("#loket-subject", "How do I export? See https://example.com/export?a=1&b=2")
        page.fill("#loket-description", "Details are on https://example.com/help <b>here</b>.")
        page.click("button.loket-submit")
        number = page.locator(".loket-receipt .loket-number").inner_text()
        page.goto(f"{portal.url}/portal/my-tickets{q}")
        seen.look(page, "my-tickets")
        page.goto(f"{portal.url}/portal/tickets/{number}{q}")
        message = page.locator(".loket-message-body").first
        expect(message.locator("a[href='https://example.com/help']")).to_have_attribute(
            "rel", "nofollow noopener")
        expect(message).to_contain_text("<b>here</b>")  # Text, never markup.
        # In the business calendar's zone (Europe/Amsterdam in the demo), named.
        expect(page.locator(".loket-message-meta time").first).to_contain_text(
            re.compile(r"\d{2}:\d{2} CES?T"))
        seen.look(page, "ticket")
        page.goto(f"{portal.url}/portal/account{q}")
        seen.look(page, "account")
        ticket = services.store.get_ticket(int(number))
        page.goto(rating_link(services, ticket).replace("lang=en", f"lang={lang}"))
        seen.look(page, "rating")
        page.click("header .loket-portal-links button")  # Sign out, from the header.
        expect(page.locator("#loket-password")).to_be_visible()
        page.goto(f"{portal.url}/portal/password-reset{q}")
        page.fill("#loket-email", address)
        page.click(".loket-account-form button[type=submit]")
        page.goto(mail_link(portal, address, r"http://\S+/portal/password-reset/\S+"))
        seen.look(page, "reset-choose")
    finally:
        violations = csp_violations(page, reports)
        context.close()
    assert seen.report() == "", f"portal pages in {lang}:\n{seen.report()}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"
