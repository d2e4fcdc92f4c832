"""Linking a ticket to a known issue from the desk (#16): the form lists the ticket's
product's issues from the built site's known-issues.json; linking moves the ticket as
the preset says (application-management: waiting on the update), queues the e-mail
with the issue's page and workaround, and shows the link. Through the Flask test
client, SQLite; rights as the rest of the desk."""

from __future__ import annotations

import pytest

from loket.domain.events import EventKind
from loket.domain.known_issues import CATALOG_FILE, Catalog, KnownIssue
from tests.desk.conftest import PAYROLL_AGENT, AGENT, sign_in_as
from tests.desk.test_desk_pages import submit

ISSUE = KnownIssue(id="PLN-142", product="planner", status="fix-planned",
                   titles={"en": "Swaps show the <old> employee"},
                   urls={"en": "/known-issues/PLN-142/", "nl": "/nl/known-issues/PLN-142/"},
                   workaround={"en": "Publish the schedule again."})


@pytest.fixture
def site(app):
    """The built site's catalog where the app looks for it (LOKET_SITE_DIR)."""
    folder = app.config["LOKET_SITE_DIR"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CATALOG_FILE).write_text(Catalog({"PLN-142": ISSUE}).to_json(), "utf-8")
    return folder


@pytest.fixture
def agent(desk_services, client, site):
    return sign_in_as(desk_services, client, AGENT)


def test_an_agent_links_a_ticket_and_the_customer_is_told(desk_services, client, agent):
    number = submit(desk_services)
    page = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert '<option value="PLN-142">PLN-142: Swaps show the &lt;old&gt; employee' in page
    answer = client.post(f"/desk/tickets/{number}/known-issue",
                         data={"csrf_token": agent, "issue": "PLN-142"})
    assert answer.status_code == 303
    assert desk_services.store.get_ticket(number).status == "waiting-on-update"
    events = desk_services.store.list_events(number)
    assert [e.detail for e in events if e.kind is EventKind.KNOWN_ISSUE] == [{"issue": "PLN-142"}]
    [mail] = [m for m in desk_services.store.list_mail(pending=True) if m.kind == "known-issue"]
    assert mail.to == "zed@elsewhere.example" and mail.ticket == number
    assert mail.data["issue_url"] == "https://support.nordwind.example/known-issues/PLN-142/" \
        or mail.data["issue_url"].endswith("/known-issues/PLN-142/")
    assert mail.data["workaround"] == "Publish the schedule again."
    page = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert '<a href="/known-issues/PLN-142/">PLN-142 Swaps show the &lt;old&gt; employee</a>' in page
    assert 'name="issue"' not in page  # nothing left to link to
    assert "Linked to known issue PLN-142" in page  # the timeline


def test_an_unknown_issue_is_refused_naming_the_field(desk_services, client, agent):
    number = submit(desk_services)
    answer = client.post(f"/desk/tickets/{number}/known-issue",
                         data={"csrf_token": agent, "issue": "PLN-999"})
    assert answer.status_code == 422
    assert "Is no known issue." in answer.get_data(as_text=True)
    assert desk_services.store.known_issue_tickets("PLN-999") == []
    assert EventKind.KNOWN_ISSUE not in [e.kind for e in desk_services.store.list_events(number)]


def test_another_products_issue_is_neither_offered_nor_linked(desk_services, client, site):
    number = submit(desk_services, product="payroll")
    token = sign_in_as(desk_services, client, PAYROLL_AGENT)
    page = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert 'value="PLN-142"' not in page
    answer = client.post(f"/desk/tickets/{number}/known-issue",
                         data={"csrf_token": token, "issue": "PLN-142"})
    assert answer.status_code == 422 and "Is about another product." in answer.get_data(as_text=True)


def test_an_agent_of_another_product_gets_not_found(desk_services, client, site):
    number = submit(desk_services)  # planner
    token = sign_in_as(desk_services, client, PAYROLL_AGENT)
    answer = client.post(f"/desk/tickets/{number}/known-issue",
                         data={"csrf_token": token, "issue": "PLN-142"})
    assert answer.status_code == 404
    assert desk_services.store.known_issue_tickets("PLN-142") == []


def test_the_timeline_says_publish_told_the_customer(desk_services, client, agent):
    from dataclasses import replace

    from loket.domain.known_issues import Release
    from loket.services.known_issues import publish

    number = submit(desk_services)
    client.post(f"/desk/tickets/{number}/known-issue", data={"csrf_token": agent,
                                                             "issue": "PLN-142"})
    fixed = replace(ISSUE, release=Release("Planner 2026.3", "/release-notes/2026/12/08/p/"))
    assert publish(desk_services, Catalog({"PLN-142": fixed})).told == [("PLN-142", number)]
    assert desk_services.store.get_ticket(number).status == "solved"
    page = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert "Loket (publish)" in page
    assert "Fix for known issue PLN-142 released (/release-notes/2026/12/08/p/)" in page
