"""The agent desk through the Flask test client: the queue (filters, order, pages), a
ticket's page, and each move changing the ticket through the workflow; CSRF; and the
"not found" answer for everyone but the ticket's product's agents."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest

from loket.services.status import set_status
from loket.services.submission import submit_ticket
from tests.accounts.test_rights_matrix import png
from tests.api.conftest import VALID
from tests.desk.conftest import AGENT, ANN, PAYROLL_AGENT, sign_in_as


def submit(services, subject="Export fails", product="planner", email="zed@elsewhere.example"):
    receipt = submit_ticket(services, {**VALID, "email": email, "product": product,
                                       "subject": subject},
                            client_address=f"test:{subject}")
    return receipt.ticket.number


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-number="(\d+)"', html)]


@pytest.fixture
def agent(desk_services, client):
    """A test client signed in as the planner board's agent; its CSRF token."""
    return sign_in_as(desk_services, client, AGENT)


def test_the_queue_lists_the_agents_products_open_tickets_newest_first(desk_services, client,
                                                                        agent):
    first = submit(desk_services, "First")
    payroll = submit(desk_services, "Payroll", product="payroll")
    solved = submit(desk_services, "Solved")
    last = submit(desk_services, "Last")
    set_status(desk_services, solved, "solved-in-update")
    page = client.get("/desk/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert listed(html) == [last, first]
    assert "Waiting for support" in html and "Normal" in html  # status, priority (p3)
    assert "to first response" in html  # the SLA clock runs
    assert payroll not in listed(html)
    assert listed(client.get("/desk/?category=all").get_data(as_text=True)) == [last, solved, first]
    assert listed(client.get("/desk/?category=solved").get_data(as_text=True)) == [solved]
    assert listed(client.get("/desk/?sort=oldest").get_data(as_text=True)) == [first, last]
    assert client.get("/desk/?product=payroll").status_code == 422  # not this agent's
    assert client.get("/desk/?category=nonsense").status_code == 422


def test_the_queue_pages_by_number_across_products(desk_services, client):
    desk_services.store.save_account(replace(desk_services.store.get_account(AGENT),
                                             products=frozenset({"planner", "payroll"})))
    sign_in_as(desk_services, client, AGENT)
    numbers = [submit(desk_services, f"t{i}", product=("planner", "payroll")[i % 2])
               for i in range(30)]
    first = client.get("/desk/?category=all").get_data(as_text=True)
    assert listed(first) == numbers[::-1][:25]
    after = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(after).get_data(as_text=True)
    assert listed(second) == numbers[::-1][25:]
    assert 'rel="next"' not in second
    only_payroll = client.get("/desk/?category=all&product=payroll").get_data(as_text=True)
    assert listed(only_payroll) == [n for i, n in enumerate(numbers) if i % 2][::-1][:25]


def test_the_ticket_page_shows_everything_and_an_internal_note(desk_services, client, agent):
    number = submit(desk_services)
    client.post(f"/desk/tickets/{number}/reply",
                data={"csrf_token": agent, "body": "Looks like <b>locking</b>.", "internal": "on"})
    html = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert "Looks like &lt;b&gt;locking&lt;/b&gt;." in html and "internal note" in html
    assert "First response due" in html and "Resolution due" in html
    assert 'name="impact"' in html and 'value="solved-in-update"' in html
    assert 'value="active"' not in html  # only the customer sets "active"


def test_a_reply_with_a_png_is_stored_mailed_and_moves_the_ticket(desk_services, client,
                                                                   agent, outbox):
    number = submit(desk_services)
    response = client.post(f"/desk/tickets/{number}/reply", data={
        "csrf_token": agent, "body": "Fixed: see the screenshot.",
        "attachments": (io.BytesIO(png()), "fixed.png")}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/desk/tickets/{number}")
    ticket = desk_services.store.get_ticket(number)
    assert ticket.status == "in-progress" and ticket.first_response_at is not None
    last = desk_services.store.list_messages(number)[-1]
    assert last.role == "agent" and last.author == AGENT and last.public
    [attachment] = last.attachments
    assert attachment.name == "fixed.png" and desk_services.blobs.size(attachment.key)
    mail = [m for m in outbox.messages() if m["To"] == "zed@elsewhere.example"]
    assert "Fixed: see the screenshot." in mail[-1].get_body(("plain",)).get_content()
    # The customer's page shows the answer with its file.
    customer = desk_services.store.get_ticket(number)
    page = client.get(f"/portal/tickets/{number}?token={customer.access_key}").get_data(as_text=True)
    assert "Fixed: see the screenshot." in page and "fixed.png" in page


def test_a_refused_file_or_an_empty_reply_shows_the_page_again(desk_services, client, agent):
    number = submit(desk_services)
    response = client.post(f"/desk/tickets/{number}/reply", data={
        "csrf_token": agent, "body": "With a bad file",
        "attachments": (io.BytesIO(b"MZ\x90\x00 not a picture"), "tool.exe")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "tool.exe" in response.get_data(as_text=True)
    assert client.post(f"/desk/tickets/{number}/reply",
                       data={"csrf_token": agent, "body": " "}).status_code == 422
    assert len(desk_services.store.list_messages(number)) == 1


def test_setting_status_priority_assignee_and_warranty(desk_services, client, agent, outbox):
    number = submit(desk_services, email=ANN)
    post = lambda action, **data: client.post(f"/desk/tickets/{number}/{action}",
                                              data={"csrf_token": agent, **data})
    assert post("status", status="waiting-on-customer").status_code == 303
    ticket = desk_services.store.get_ticket(number)
    assert ticket.status == "waiting-on-customer" and ticket.sla_since is None
    assert any(m["To"] == ANN for m in outbox.messages())
    assert post("status", status="active").status_code == 422  # the customer's to set
    assert post("priority", impact="high", urgency="high").status_code == 303
    ticket = desk_services.store.get_ticket(number)
    assert (ticket.impact, ticket.urgency, ticket.priority) == ("high", "high", "p1")
    assert post("priority", impact="huge", urgency="high").status_code == 422
    assert post("assign", assignee=AGENT).status_code == 303
    assert desk_services.store.get_ticket(number).assignee == AGENT
    assert post("assign", assignee="").status_code == 422
    assert post("warranty", warranty="true").status_code == 303
    assert desk_services.store.get_ticket(number).warranty
    assert post("warranty", warranty="false").status_code == 303
    assert not desk_services.store.get_ticket(number).warranty
    html = client.get("/desk/?category=all").get_data(as_text=True)
    assert "paused" in html and AGENT in html and "Critical" in html


def test_a_post_without_the_sessions_csrf_token_is_refused(desk_services, client, agent):
    number = submit(desk_services)
    for action, data in (("reply", {"body": "Hi"}), ("status", {"status": "scheduled"}),
                         ("assign", {"assignee": "x"}), ("warranty", {"warranty": "true"})):
        response = client.post(f"/desk/tickets/{number}/{action}",
                               data={**data, "csrf_token": "forged"})
        assert response.status_code == 403, action
        assert client.post(f"/desk/tickets/{number}/{action}", data=data).status_code == 403
    ticket = desk_services.store.get_ticket(number)
    assert ticket.version == 1 and len(desk_services.store.list_messages(number)) == 1


@pytest.mark.parametrize("who", [ANN, PAYROLL_AGENT])
def test_a_customer_or_another_products_agent_gets_not_found(desk_services, client, who):
    number = submit(desk_services)
    csrf = sign_in_as(desk_services, client, who)
    missing = client.get("/desk/tickets/99999")
    assert missing.status_code == 404
    shown = client.get(f"/desk/tickets/{number}")
    assert shown.status_code == 404 and shown.get_data() == missing.get_data()
    reply = client.post(f"/desk/tickets/{number}/reply", data={"csrf_token": csrf, "body": "x"})
    assert reply.status_code == 404 and reply.get_data() == missing.get_data()
    assert len(desk_services.store.list_messages(number)) == 1
    queue = client.get("/desk/")
    if who == ANN:
        assert queue.status_code == 404
    else:
        assert queue.status_code == 200 and number not in listed(queue.get_data(as_text=True))


def test_signing_in_first(desk_services, client):
    response = client.get("/desk/")
    assert response.status_code == 303 and "/portal/login" in response.headers["Location"]
