"""Telephone intake (#12): an agent fills in the ticket form for a customer at
/desk/tickets/new; the ticket is the customer's (their address, organization and plan)
and the receipt goes to them, not to the agent."""

from __future__ import annotations

import io

from loket.services.intake import take_phone_ticket
from loket.services.sessions import viewer_of
from tests.accounts.test_rights_matrix import png
from tests.desk.conftest import AGENT, ANN, CARL, sign_in_as

FORM = {"product": "planner", "type": "problem-report", "subject": "Planner hangs on save",
        "description": "Called at 10:40: saving a plan hangs since this morning.",
        "language": "nl"}


def post(client, csrf, **fields):
    return client.post("/desk/tickets/new", data={"csrf_token": csrf, **FORM, **fields})


def test_the_form_shows_the_agents_products_and_no_script_takes_it(desk_services, client):
    sign_in_as(desk_services, client, AGENT)
    page = client.get("/desk/tickets/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="customer"' in html
    assert 'value="planner"' in html and 'value="payroll"' not in html
    assert 'class="loket-form"' not in html and "data-api" not in html
    assert 'name="email"' not in html


def test_an_agents_ticket_for_a_customer_is_theirs_and_the_receipt_goes_to_them(
        desk_services, client, outbox):
    csrf = sign_in_as(desk_services, client, AGENT)
    sent = len(outbox.messages())
    answer = post(client, csrf, customer="ANN@acme.example", environment="production")
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    number = int(answer.headers["Location"].split("/")[3].split("?")[0])
    ticket = desk_services.store.get_ticket(number)
    assert (ticket.email, ticket.organization, ticket.language) == (ANN, "acme", "nl")
    assert ticket.fields.get("environment") == "production"
    [receipt] = outbox.messages()[sent:]
    assert receipt["To"] == ANN and f"{number}" in receipt["Subject"]
    # Ann sees it among her tickets.
    customer = client.application.test_client()
    sign_in_as(desk_services, customer, ANN)
    assert f'data-number="{number}"' in customer.get("/portal/my-tickets").get_data(as_text=True)


def test_the_timeline_names_the_agent_who_took_the_call(desk_services, client):
    csrf = sign_in_as(desk_services, client, AGENT)
    answer = post(client, csrf, customer=ANN)
    number = int(answer.headers["Location"].split("/")[3].split("?")[0])
    [created] = desk_services.store.list_events(number)
    assert (created.by, created.role.value) == (AGENT, "agent")
    html = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert f"Took the ticket by telephone for {ANN}" in html


def test_someone_without_an_account_gets_the_ticket_and_files_come_along(
        desk_services, client, outbox):
    csrf = sign_in_as(desk_services, client, AGENT)
    answer = client.post("/desk/tickets/new", content_type="multipart/form-data", data={
        "csrf_token": csrf, **FORM, "customer": "zed@elsewhere.example",
        "attachments": (io.BytesIO(png()), "screen.png")})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    number = int(answer.headers["Location"].split("/")[3].split("?")[0])
    ticket = desk_services.store.get_ticket(number)
    assert ticket.email == "zed@elsewhere.example" and ticket.organization is None
    [first] = desk_services.store.list_messages(number)
    assert [a.name for a in first.attachments] == ["screen.png"]
    assert outbox.messages()[-1]["To"] == "zed@elsewhere.example"


def test_bad_input_names_the_field_and_makes_nothing(desk_services, client):
    csrf = sign_in_as(desk_services, client, AGENT)
    for fields, field in [({"customer": "not an address"}, "customer"),
                          ({"customer": ""}, "customer"),
                          ({"customer": ANN, "product": "payroll"}, "product"),
                          ({"customer": CARL}, "product"),  # Carl has no planner rights
                          ({"customer": ANN, "subject": ""}, "subject")]:
        answer = post(client, csrf, **fields)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422, (fields, html[:300])
        assert f'data-field="{field}"' in html and "loket-field--invalid" in html
    assert desk_services.store.get_ticket(desk_services.config.first_ticket_number) is None


def test_only_accounts_when_the_portal_requires_them(desk_services, client):
    desk_services.config.accounts.required_to_submit = True
    csrf = sign_in_as(desk_services, client, AGENT)
    answer = post(client, csrf, customer="zed@elsewhere.example")
    assert answer.status_code == 422 and "invite them first" in answer.get_data(as_text=True)
    assert post(client, csrf, customer=ANN).status_code == 303


def test_customers_get_not_found_and_the_service_refuses_them(desk_services, client):
    import pytest

    from loket.domain.errors import Refused

    csrf = sign_in_as(desk_services, client, ANN)
    assert client.get("/desk/tickets/new").status_code == 404
    assert post(client, csrf, customer=ANN).status_code == 404
    secret, _ = __import__("loket.services.sessions", fromlist=["x"]).start_session(
        desk_services, desk_services.store.get_account(ANN))
    with pytest.raises(Refused):
        take_phone_ticket(desk_services, viewer_of(desk_services, secret),
                          {**FORM, "customer": ANN})
