"""'This affects me too' (#16): from a known issue's page a signed-in customer links one
of their tickets, or a new one, with plain forms (no script). Only for issues of
products their account has rights to; an agent, another product's issue or someone
else's ticket answer as a missing page. Flask test client, SQLite."""

from __future__ import annotations

import re

import pytest

from loket.domain.events import EventKind
from loket.domain.known_issues import CATALOG_FILE, Catalog, KnownIssue
from loket.services.known_issues import linked_issues
from loket.services.sessions import Viewer
from loket.services.submission import submit_ticket
from tests.accounts.conftest import (AGENT, ANN, BEA, CARL, app, client, clock,  # noqa: F401
                                     people, services, sign_in_as)

ISSUE = KnownIssue(id="PLN-142", product="planner", status="fix-planned",
                   titles={"en": "Swaps show the old employee"},
                   urls={"en": "/known-issues/PLN-142/"},
                   workaround={"en": "Publish the schedule again."})


@pytest.fixture
def site(app):
    folder = app.config["LOKET_SITE_DIR"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CATALOG_FILE).write_text(Catalog({"PLN-142": ISSUE}).to_json(), "utf-8")
    return folder


def ticket_of(services, email, subject="Calendar feed shows the old employee"):
    account = services.store.get_account(email)
    viewer = Viewer(account, services.store.get_organization(account.organization)
                    if account.organization else None)
    return submit_ticket(services, {"email": email, "product": "planner", "type": "question",
                                    "subject": subject, "description": "Since the swap."},
                         client_address="203.0.113.9", viewer=viewer).ticket.number


def test_signed_out_the_page_leads_to_signing_in(client, site, people):
    # It asks for an e-mail address too (test_affects_me_by_mail.py); posting a ticket
    # needs the session.
    answer = client.get("/portal/known-issues/PLN-142?lang=en")
    assert answer.status_code == 200 and "/portal/login?" in answer.get_data(as_text=True)
    answer = client.post("/portal/known-issues/PLN-142/affects-me", data={"ticket": "new"})
    assert answer.status_code == 303 and "/portal/login" in answer.headers["Location"]


def test_a_customer_links_an_open_ticket_of_theirs(services, client, site, people):
    number = ticket_of(services, ANN)
    token = sign_in_as(services, client, ANN)
    page = client.get("/portal/known-issues/PLN-142?lang=en").get_data(as_text=True)
    assert f'value="{number}" checked' in page and 'value="new"' in page
    answer = client.post("/portal/known-issues/PLN-142/affects-me",
                         data={"csrf_token": token, "ticket": str(number)})
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(f"/portal/tickets/{number}")
    assert linked_issues(services, number) == ["PLN-142"]
    assert services.store.known_issue_tickets("PLN-142") == [number]
    [event] = [e for e in services.store.list_events(number) if e.kind is EventKind.KNOWN_ISSUE]
    assert event.by == ANN
    mails = [m for m in services.store.list_mail(pending=True) if m.kind == "known-issue"]
    assert [(m.to, m.ticket) for m in mails] == [(ANN, number)]


def test_a_customer_without_a_ticket_gets_a_new_one_linked(services, client, site, people):
    token = sign_in_as(services, client, BEA)
    answer = client.post("/portal/known-issues/PLN-142/affects-me",
                         data={"csrf_token": token, "ticket": "new"})
    assert answer.status_code == 303
    number = int(re.search(r"/portal/tickets/(\d+)", answer.headers["Location"]).group(1))
    ticket = services.store.get_ticket(number)
    assert ticket.email == BEA and ticket.product == "planner"
    assert ticket.subject.startswith("PLN-142 ")
    assert linked_issues(services, number) == ["PLN-142"]


def test_without_the_session_token_nothing_is_linked(services, client, site, people):
    number = ticket_of(services, ANN)
    sign_in_as(services, client, ANN)
    answer = client.post("/portal/known-issues/PLN-142/affects-me", data={"ticket": str(number)})
    assert answer.status_code in (400, 403)
    assert services.store.known_issue_tickets("PLN-142") == []


def test_someone_elses_ticket_answers_as_missing(services, client, site, people):
    number = ticket_of(services, BEA)
    token = sign_in_as(services, client, ANN)
    answer = client.post("/portal/known-issues/PLN-142/affects-me",
                         data={"csrf_token": token, "ticket": str(number)})
    assert answer.status_code == 404
    assert services.store.known_issue_tickets("PLN-142") == []


@pytest.mark.parametrize("who, path", [
    (CARL, "/portal/known-issues/PLN-142"),   # no rights to planner
    (AGENT, "/portal/known-issues/PLN-142"),  # agents link from the desk
    (ANN, "/portal/known-issues/PLN-999"),    # no such issue
    (ANN, "/portal/known-issues/..%2Fetc"),
])
def test_what_the_customer_may_not_see_answers_as_missing(services, client, site, people,
                                                          who, path):
    token = sign_in_as(services, client, who)
    assert client.get(path).status_code == 404
    answer = client.post(path + "/affects-me", data={"csrf_token": token, "ticket": "new"})
    assert answer.status_code == 404
    assert services.store.known_issue_tickets("PLN-142") == []


def test_no_ticket_chosen_is_asked_again_naming_the_field(services, client, site, people):
    token = sign_in_as(services, client, ANN)
    answer = client.post("/portal/known-issues/PLN-142/affects-me",
                         data={"csrf_token": token, "ticket": ""})
    assert answer.status_code == 422
    assert 'class="loket-error"' in answer.get_data(as_text=True)
