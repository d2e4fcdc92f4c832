"""'This affects me too' by e-mail address (#16): signed out, the known issue's page asks
for an address, a signed link is e-mailed, and its page's button links the address's
open ticket of the product, or a new one. Flask test client, SQLite, the outbox."""

from __future__ import annotations

import re

import pytest

from loket.services.known_issues import linked_issues
from tests.accounts.conftest import (ANN, BEA, CARL, app, client, clock,  # noqa: F401
                                     csrf_of, link_in, outbox, people, services)
from tests.known_issues.test_affects_me import site, ticket_of  # noqa: F401

STRANGER = "sam@example.net"


def ask(client, email: str, lang: str = "en"):
    page = client.get(f"/portal/known-issues/PLN-142?lang={lang}")
    assert page.status_code == 200
    return client.post(f"/portal/known-issues/PLN-142/by-mail?lang={lang}",
                       data={"csrf_token": csrf_of(page.get_data(as_text=True)),
                             "email": email})


def confirm(client, outbox, email: str):
    [message] = [m for m in outbox.messages() if m["To"] == email
                 and "PLN-142" in m["Subject"] and "confirm" in m.get_body(("plain",)).get_content()]
    path = link_in(message, "known-issues")
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert email in html
    return path, client.post(path, data={"csrf_token": csrf_of(html)})


def test_signed_out_the_page_asks_for_an_address_and_offers_signing_in(client, site):
    html = client.get("/portal/known-issues/PLN-142?lang=en").get_data(as_text=True)
    assert 'name="email"' in html and "/portal/login?lang=en&amp;next=" in html


def test_an_address_without_a_ticket_gets_a_new_one_linked(services, client, outbox, site):
    answer = ask(client, STRANGER)
    assert answer.status_code == 200 and STRANGER in answer.get_data(as_text=True)
    # Nothing is stored before the link is followed.
    assert services.store.known_issue_tickets("PLN-142") == []
    _, answer = confirm(client, outbox, STRANGER)
    assert answer.status_code == 200
    [number] = services.store.known_issue_tickets("PLN-142")
    ticket = services.store.get_ticket(number)
    assert ticket.email == STRANGER and ticket.product == "planner"
    assert ticket.subject.startswith("PLN-142 ")
    assert f"#{number}" in answer.get_data(as_text=True)
    assert any(m["To"] == STRANGER and "PLN-142" in m["Subject"] and m["Subject"].startswith(
        f"[#{number}]") for m in outbox.messages())  # the workaround's e-mail


def test_an_account_s_open_ticket_is_linked_and_following_again_changes_nothing(
        services, client, outbox, site, people):
    number = ticket_of(services, ANN)
    ask(client, ANN)
    path, answer = confirm(client, outbox, ANN)
    assert answer.status_code == 200
    assert services.store.known_issue_tickets("PLN-142") == [number]
    assert linked_issues(services, number) == ["PLN-142"]
    page = client.get(path).get_data(as_text=True)
    assert client.post(path, data={"csrf_token": csrf_of(page)}).status_code == 200
    assert services.store.known_issue_tickets("PLN-142") == [number]


def test_an_account_without_rights_to_the_product_links_nothing(services, client, outbox,
                                                                site, people):
    ask(client, CARL)
    _, answer = confirm(client, outbox, CARL)
    assert answer.status_code == 404
    assert services.store.known_issue_tickets("PLN-142") == []


def test_the_mail_is_in_the_page_s_language(services, client, outbox, site, people):
    ask(client, BEA, lang="nl")
    [message] = [m for m in outbox.messages() if m["To"] == BEA and "PLN-142" in m["Subject"]]
    assert message["Subject"].startswith("Heeft u last van PLN-142")
    assert "lang=nl" in link_in(message, "known-issues")


def test_a_forged_old_or_other_issue_s_link_links_nothing(services, client, outbox, clock,
                                                          site):
    ask(client, STRANGER)
    [message] = outbox.messages()
    path = link_in(message, "known-issues")
    token = re.search(r"/confirm/([^?]+)", path).group(1)
    forged = path.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert client.get(forged).status_code == 404
    assert client.get(path.replace("PLN-142", "PLN-999")).status_code == 404
    clock.move(days=3, minutes=1)
    assert client.get(path).status_code == 404
    page = client.get("/portal/known-issues/PLN-142").get_data(as_text=True)
    assert client.post(path, data={"csrf_token": csrf_of(page)}).status_code == 404
    assert services.store.known_issue_tickets("PLN-142") == []


@pytest.mark.parametrize("email", ["", "not an address", "a@b"])
def test_a_bad_address_is_asked_again_naming_the_field(services, client, outbox, site, email):
    answer = ask(client, email)
    assert answer.status_code == 422
    assert 'class="loket-error"' in answer.get_data(as_text=True)
    assert outbox.messages() == []


def test_without_the_form_token_nothing_is_sent(client, outbox, site):
    answer = client.post("/portal/known-issues/PLN-142/by-mail", data={"email": STRANGER})
    assert answer.status_code in (400, 403)
    assert outbox.messages() == []


def test_asking_again_and_again_is_limited(client, outbox, site):
    answers = [ask(client, STRANGER).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert len(outbox.messages()) == 3


def test_an_unknown_issue_answers_as_missing(client, site):
    assert client.get("/portal/known-issues/PLN-999").status_code == 404
    assert client.post("/portal/known-issues/PLN-999/by-mail",
                       data={"email": STRANGER}).status_code == 404
