"""The customer portal on top of accounts: submitting signed in (form, plan, support
contacts), my tickets, closing, reopening or following up, rating, e-mail preferences."""

from __future__ import annotations

import re

import pytest

from loket.domain.accounts import OverPlan
from loket.services.organizations import set_plan
from loket.services.ratings import rating_link
from loket.services.status import agent_reply, set_status
from tests.accounts.conftest import AGENT, ANN, CARL, csrf_of, sign_in_as
from tests.api.conftest import VALID


def submit(client, csrf, **fields):
    return client.post("/api/tickets", json={**VALID, **fields}, headers={"X-CSRF-Token": csrf})


def test_a_signed_in_customer_submits_as_their_account_for_their_products(services, client, people):
    csrf = sign_in_as(services, client, ANN)
    receipt = submit(client, csrf, email="someone-else@example.com")
    assert receipt.status_code == 201
    ticket = services.store.get_ticket(receipt.get_json()["number"])
    assert ticket.email == ANN and ticket.organization == "acme"
    refused = submit(client, csrf, product="payroll")
    assert refused.status_code == 422
    error = refused.get_json()["errors"][0]
    assert {k: error[k] for k in ("field", "pointer", "detail")} == {
        "field": "product", "pointer": "#/product", "detail": "must be one of: planner"}


def test_the_form_knows_a_signed_in_customer(services, client, people):
    sign_in_as(services, client, ANN)
    html = client.get("/portal/tickets/new").get_data(as_text=True)
    assert f'value="{ANN}"' in html
    assert '<option value="planner"' in html and '<option value="payroll"' not in html
    session = client.get("/api/session").get_json()
    assert session["email"] == ANN and [p["id"] for p in session["products"]] == ["planner"]


def test_the_static_form_posted_signed_in_without_a_token_comes_back_to_confirm(
        services, client, people):
    csrf = sign_in_as(services, client, ANN)
    response = client.post("/portal/tickets", data=VALID)
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and csrf_of(html) == csrf
    assert VALID["subject"] in html
    again = client.post("/portal/tickets", data={**VALID, "csrf_token": csrf})
    assert again.status_code == 201


def test_only_support_contacts_submit_when_the_plan_says_so(services, client, people):
    set_plan(services, "acme", tickets=None, contacts_only=True)
    csrf = sign_in_as(services, client, CARL)
    refused = submit(client, csrf, product="payroll")
    assert refused.status_code == 403
    assert "Only your organization's support contacts may submit" in refused.get_json()["detail"]
    csrf = sign_in_as(services, client, ANN)  # Ann is a support contact.
    assert submit(client, csrf).status_code == 201


def test_a_plan_refuses_beyond_its_tickets_and_warranty_gives_one_back(services, client, app,
                                                                       people):
    set_plan(services, "acme", tickets=2, period="month", over_limit=OverPlan.REFUSE)
    csrf = sign_in_as(services, client, ANN)
    first = submit(client, csrf).get_json()
    assert submit(client, csrf).status_code == 201
    refused = submit(client, csrf)
    assert refused.status_code == 403 and refused.get_json()["type"] == "/api/problems/plan-exhausted"
    assert "includes 2 tickets a month, and all of them are used" in refused.get_json()["detail"]
    agent = app.test_client()
    agent_csrf = sign_in_as(services, agent, AGENT)
    marked = agent.post(f"/api/tickets/{first['number']}/warranty", json={"warranty": True},
                        headers={"X-CSRF-Token": agent_csrf})
    assert marked.get_json() == {"number": first["number"], "warranty": True}
    assert submit(client, csrf).status_code == 201  # The warranty ticket's count came back.


def test_a_plan_that_allows_more_says_so(services, client, people):
    set_plan(services, "acme", tickets=1, period="year", over_limit=OverPlan.ALLOW)
    csrf = sign_in_as(services, client, ANN)
    assert "notice" not in submit(client, csrf).get_json()
    beyond = submit(client, csrf).get_json()
    assert "this is ticket 2, beyond the plan" in beyond["notice"]


def test_an_idempotent_retry_counts_once(services, client, people):
    set_plan(services, "acme", tickets=1, over_limit=OverPlan.REFUSE)
    csrf = sign_in_as(services, client, ANN)
    headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "k-1"}
    assert client.post("/api/tickets", json=VALID, headers=headers).status_code == 201
    assert client.post("/api/tickets", json=VALID, headers=headers).status_code == 200


def test_accounts_only_when_configured(services, client, people):
    services.config.accounts.required_to_submit = True
    refused = client.post("/api/tickets", json=VALID)
    assert refused.status_code == 401
    page = client.post("/portal/tickets", data=VALID)
    assert page.status_code == 303 and page.headers["Location"].startswith("/portal/login")
    csrf = sign_in_as(services, client, ANN)
    assert submit(client, csrf).status_code == 201


def make(services, client, csrf, count, **fields):
    return [submit(client, csrf, subject=f"Problem {i}", **fields).get_json()["number"]
            for i in range(count)]


def test_my_tickets_pages_searches_and_filters(services, client, people):
    services.config.submissions.per_hour = 1000
    csrf = sign_in_as(services, client, ANN)
    numbers = make(services, client, csrf, 30)
    set_status(services, numbers[3], "solved")
    first = client.get("/api/my/tickets").get_json()
    assert [t["number"] for t in first["tickets"]] == numbers[::-1][:25]
    assert first["scope"] == "organization"
    rest = client.get("/api/my/tickets", query_string={"after": first["next_after"]}).get_json()
    assert [t["number"] for t in rest["tickets"]] == numbers[::-1][25:] and rest["next_after"] is None
    oldest = client.get("/api/my/tickets", query_string={"sort": "oldest"}).get_json()
    assert oldest["tickets"][0]["number"] == numbers[0]
    solved = client.get("/api/my/tickets", query_string={"status": "resolved"}).get_json()
    assert [t["number"] for t in solved["tickets"]] == [numbers[3]]
    found = client.get("/api/my/tickets", query_string={"q": "problem 1"}).get_json()
    assert {t["number"] for t in found["tickets"]} == {numbers[1]} | set(numbers[10:20])
    by_number = client.get("/api/my/tickets", query_string={"q": f"#{numbers[7]}"}).get_json()
    assert [t["number"] for t in by_number["tickets"]] == [numbers[7]]
    bad = client.get("/api/my/tickets", query_string={"status": "nonsense"})
    assert bad.status_code == 422 and "must be one of: active, resolved, open" in bad.get_data(as_text=True)
    page = client.get("/portal/my-tickets", query_string={"q": "problem 2"}).get_data(as_text=True)
    assert len(re.findall(r'data-number="', page)) == 11
    assert "Older tickets" not in page


def test_colleagues_see_each_others_tickets_only_when_the_organization_allows(
        services, client, app, people):
    from loket.domain.accounts import Visibility
    from loket.services.organizations import grant_to_account, set_visibility

    grant_to_account(services, CARL, ["planner"])
    csrf = sign_in_as(services, client, ANN)
    [number] = make(services, client, csrf, 1)
    colleague = app.test_client()
    sign_in_as(services, colleague, CARL)
    assert [t["number"] for t in colleague.get("/api/my/tickets").get_json()["tickets"]] == [number]
    assert colleague.get(f"/api/tickets/{number}").status_code == 200
    set_visibility(services, "acme", Visibility.OWN)
    assert colleague.get("/api/my/tickets").get_json()["tickets"] == []
    assert colleague.get(f"/api/tickets/{number}").status_code == 404


def ticket_page_action(client, number, csrf, action, **data):
    return client.post(f"/portal/tickets/{number}/{action}", data={"csrf_token": csrf, **data})


def test_close_reopen_and_rate_on_the_ticket_page(services, client, people, outbox):
    csrf = sign_in_as(services, client, ANN)
    [number] = make(services, client, csrf, 1)
    html = client.get(f"/portal/tickets/{number}").get_data(as_text=True)
    assert "Close the ticket" in html and "Did we help you?" not in html
    assert "token=" not in re.sub(r'action="[^"]*token=&amp;', "", html).split("loket-ticket-actions")[0] \
        or services.store.get_ticket(number).access_key not in html
    assert ticket_page_action(client, number, csrf, "rating", rating="good").status_code == 409
    agent_reply(services, number, "Fixed in 2026.2.", agent="desk", status="solved")
    html = client.get(f"/portal/tickets/{number}").get_data(as_text=True)
    assert "Did we help you?" in html and "Reopen the ticket" in html
    assert ticket_page_action(client, number, csrf, "rating", rating="bad",
                              comment="Took long").status_code == 303
    rating = services.store.get_rating(number)
    assert not rating.good and rating.comment == "Took long" and rating.by == ANN
    assert ticket_page_action(client, number, csrf, "rating", rating="good").status_code == 409
    assert ticket_page_action(client, number, csrf, "reopen", body="Back again").status_code == 303
    assert services.store.get_ticket(number).status == "open"
    assert ticket_page_action(client, number, csrf, "close").status_code == 303
    assert services.store.get_ticket(number).status == "closed"


def test_reopening_after_the_period_makes_a_linked_follow_up(services, client, clock, people):
    csrf = sign_in_as(services, client, ANN)
    [number] = make(services, client, csrf, 1)
    set_status(services, number, "solved")
    clock.move(days=services.config.accounts.reopen_within_days + 1)
    csrf = sign_in_as(services, client, ANN)  # The first session expired meanwhile.
    response = ticket_page_action(client, number, csrf, "reopen", body="It is back.")
    assert response.status_code == 303
    follow_up = int(re.search(r"/portal/tickets/(\d+)", response.headers["Location"]).group(1))
    ticket = services.store.get_ticket(follow_up)
    assert ticket.follow_up_of == number and ticket.email == ANN
    assert ticket.subject.startswith(f"Follow-up to #{number}: ")
    assert services.store.get_ticket(number).status == "solved"


def test_a_rating_link_opens_a_page_and_stores_only_what_is_sent_once(services, client, clock,
                                                                      people):
    receipt = client.post("/api/tickets", json=VALID).get_json()
    number = receipt["number"]
    set_status(services, number, "solved")
    link = rating_link(services, services.store.get_ticket(number)).removeprefix("http://portal.test")
    page = client.get(link)
    assert page.status_code == 200 and "Did we help you?" in page.get_data(as_text=True)
    assert services.store.get_rating(number) is None  # Opening the link stores nothing.
    sent = client.post(link, data={"rating": "good", "comment": "Thanks!"})
    assert sent.status_code == 201
    assert services.store.get_rating(number).by == "e-mail link"
    again = client.post(link, data={"rating": "bad"})
    assert again.status_code == 409 and services.store.get_rating(number).good
    clock.move(days=services.config.accounts.rating_window_days)
    assert client.get(link).status_code == 404
    forged = link.replace(f"/{number}.", f"/{number + 1}.")
    assert client.get(forged).status_code == 404


def test_the_solved_e_mail_carries_the_rating_link(services, client, outbox, people):
    receipt = client.post("/api/tickets", json=VALID).get_json()
    set_status(services, receipt["number"], "solved")
    text = outbox.messages()[-1].get_body(("plain",)).get_content()
    assert "/portal/ratings/" in text


@pytest.mark.parametrize("kind, preference", [("status-change", "status_changes")])
def test_e_mail_preferences_leave_out_optional_e_mails(services, client, outbox, people, kind,
                                                      preference):
    csrf = sign_in_as(services, client, ANN)
    [number] = make(services, client, csrf, 1)
    response = client.put("/api/my/preferences", json={preference: False},
                          headers={"X-CSRF-Token": csrf})
    assert response.get_json()[preference] is False
    before = len(outbox.messages())
    set_status(services, number, "solved")
    assert len(outbox.messages()) == before
    page = client.post("/portal/account", data={"csrf_token": csrf, "status_changes": "on",
                                                "agent_replies": "on", "reminders": "on"})
    assert page.status_code == 303
    set_status(services, number, "open")
    assert len(outbox.messages()) == before + 1


def test_the_api_reopens_within_the_period_and_follows_up_after_it(services, client, clock):
    receipt = client.post("/api/tickets", json=VALID).get_json()
    number, token = receipt["number"], receipt["token"]
    set_status(services, number, "solved")
    reopened = client.post(f"/api/tickets/{number}/reopen", query_string={"token": token})
    assert reopened.status_code == 200 and reopened.get_json()["status"]["id"] == "open"
    set_status(services, number, "solved")
    clock.move(days=services.config.accounts.reopen_within_days, seconds=1)
    follow = client.post(f"/api/tickets/{number}/reopen", query_string={"token": token},
                         json={"body": "Back again."})
    assert follow.status_code == 201
    body = follow.get_json()
    assert body["follow_up_of"] == number and body["number"] != number
    new = client.get(f"/api/tickets/{body['number']}", query_string={"token": body["token"]})
    assert new.status_code == 200 and new.get_json()["messages"][0]["body"] == "Back again."


def test_the_receipt_page_says_when_a_ticket_goes_beyond_the_plan(services, client, people):
    set_plan(services, "acme", tickets=0, over_limit=OverPlan.ALLOW)
    csrf = sign_in_as(services, client, ANN)
    page = client.post("/portal/tickets", data={**VALID, "csrf_token": csrf})
    assert page.status_code == 201
    assert "Beyond plan:" in page.get_data(as_text=True)
