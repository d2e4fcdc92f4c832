"""Information added to a finished ticket in a real browser, with and without JavaScript
(issue #11, defect 2): on a closed ticket it starts a follow-up ticket, on a solved one
it reopens the ticket; either way the page the customer lands on says which."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loket.clock import SystemClock
from loket.config import load_portal_config
from loket.mail.outbox import OutboxMailer
from loket.services.context import Services
from loket.services.status import set_status
from loket.services.submission import submit_ticket
from loket.storage.sqlite import SQLiteStore
from tests.paths import SITE_CONFIG

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TICKET = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
          "subject": "Export to Excel fails", "description": "Clicking Export shows an error."}


@pytest.fixture(params=["javascript", "no-javascript"])
def tab(request):
    return request.getfixturevalue("page" if request.param == "javascript" else "page_without_js")


def portal_store(portal) -> Services:
    """The server's own store, written from here as the desk (or a submit) would."""
    return Services(config=load_portal_config(SITE_CONFIG),
                    store=SQLiteStore(portal.var / "loket.db"),
                    mail=OutboxMailer(portal.var / "outbox"), clock=SystemClock(),
                    base_url=portal.url, mail_from="support@nordwind.example")


def submitted(portal, name: str) -> tuple[int, str]:
    """A ticket submitted from its own client address: the browser's (127.0.0.1) keeps
    its hourly submissions for the tests that submit through the page."""
    services = portal_store(portal)
    ticket = submit_ticket(services, TICKET, client_address=f"browser-test:{name}").ticket
    return ticket.number, services.lookup_url(ticket.number, ticket.access_key)


def solve(portal, number: int) -> None:
    """An agent's "solved", written to the server's own store as the desk would."""
    set_status(portal_store(portal), number, "solved")


def add_information(tab, text: str) -> None:
    tab.fill("#loket-reply-body", text)
    tab.click("form.loket-reply button[type=submit]")


def test_information_on_a_closed_ticket_starts_a_follow_up_and_says_so(portal, tab):
    number, link = submitted(portal, "closed")
    tab.goto(link)
    tab.click("form.loket-close button")
    expect(tab.locator(".loket-status")).to_have_text("Closed")

    add_information(tab, "It is back after the update.")

    notice = tab.locator(".loket-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"Ticket {number} was closed too long ago to reopen")
    heading = tab.locator(".loket-ticket-view h1").inner_text()
    assert heading.startswith("#") and not heading.startswith(f"#{number} ")
    expect(tab.locator(".loket-status")).to_have_text("Open")
    expect(tab.locator(".loket-message-body").last).to_contain_text("It is back after the update.")


def test_information_on_a_solved_ticket_reopens_it_and_says_so(portal, tab):
    number, link = submitted(portal, "solved")
    solve(portal, number)
    tab.goto(link + ("&" if "?" in link else "?") + "lang=nl")
    expect(tab.locator(".loket-status")).to_have_text("Opgelost")

    add_information(tab, "Het werkt nog steeds niet.")

    expect(tab.locator(".loket-notice")).to_contain_text("Uw informatie heeft deze melding heropend")
    expect(tab.locator(".loket-ticket-view h1")).to_contain_text(f"#{number} ")
    expect(tab.locator(".loket-status")).to_have_text("Open")
