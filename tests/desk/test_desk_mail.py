"""The desk's outgoing mail page: failed and suppressed mail with its error and a retry
button, for the agents of its ticket's product only; and the suppressed address shown
on the ticket's page."""

from __future__ import annotations

import re

import pytest

from loket.domain.outgoing import MailFailure, MailState, Suppression
from loket.mail.outbox import OutboxMailer
from loket.services.mail_dispatch import send_queued
from tests.desk.conftest import AGENT, ANN, PAYROLL_AGENT, sign_in_as
from tests.desk.test_desk_pages import submit


class RefusingMailer:
    """Refuses every mail for good, as a server answering 550 does."""

    def __init__(self):
        self.sent = []

    def send(self, message):
        raise MailFailure("550 5.1.1 <zed@elsewhere.example>: no such user", temporary=False)


@pytest.fixture
def failed(desk_services):
    """A planner ticket and a payroll ticket whose receipts the server refused."""
    send_queued(desk_services)  # the invitations, sent before the server breaks
    desk_services.mail = RefusingMailer()
    planner = submit(desk_services, "Planner fails")
    payroll = submit(desk_services, "Payroll fails", product="payroll")
    assert send_queued(desk_services).failed == 2
    return planner, payroll


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-mail="([0-9a-f]+)"', html)


def test_an_agent_sees_the_failed_mail_of_their_products_with_the_error(
        desk_services, client, failed):
    planner, payroll = failed
    sign_in_as(desk_services, client, AGENT)
    html = client.get("/desk/mail/").get_data(as_text=True)
    assert f"#{planner}" in html and f"#{payroll}" not in html
    assert "550 5.1.1 &lt;zed@elsewhere.example&gt;: no such user" in html  # escaped
    assert len(rows(html)) == 1


def test_retry_puts_it_back_and_the_next_run_sends_it(desk_services, client, failed, outbox):
    planner, _ = failed
    csrf = sign_in_as(desk_services, client, AGENT)
    [mail] = [m for m in desk_services.store.list_mail(pending=False) if m.ticket == planner]
    response = client.post(f"/desk/mail/{mail.id}/retry", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert desk_services.store.get_mail(mail.id).state is MailState.PENDING
    desk_services.mail = OutboxMailer(outbox.folder)  # the server is back
    assert any(m["Message-ID"] == mail.message_id for m in outbox.messages())


def test_no_one_else_sees_or_retries_it(desk_services, client, failed):
    planner, _ = failed
    [mail] = [m for m in desk_services.store.list_mail(pending=False) if m.ticket == planner]
    csrf = sign_in_as(desk_services, client, PAYROLL_AGENT)
    assert rows(client.get("/desk/mail/").get_data(as_text=True)) != [mail.id]
    assert client.post(f"/desk/mail/{mail.id}/retry",
                       data={"csrf_token": csrf}).status_code == 404
    csrf = sign_in_as(desk_services, client, ANN)
    assert client.get("/desk/mail/").status_code == 404
    assert client.post(f"/desk/mail/{mail.id}/retry",
                       data={"csrf_token": csrf}).status_code == 404
    assert desk_services.store.get_mail(mail.id).state is MailState.FAILED


def test_a_retry_without_the_csrf_token_is_refused(desk_services, client, failed):
    planner, _ = failed
    [mail] = [m for m in desk_services.store.list_mail(pending=False) if m.ticket == planner]
    sign_in_as(desk_services, client, AGENT)
    assert client.post(f"/desk/mail/{mail.id}/retry").status_code in (400, 403)
    assert desk_services.store.get_mail(mail.id).state is MailState.FAILED


def test_the_ticket_page_says_when_the_customers_address_is_suppressed(desk_services, client):
    number = submit(desk_services, "Bounced")
    desk_services.store.suppress_address(Suppression(
        address="zed@elsewhere.example", reason="bounce", detail="smtp; 550 5.1.1 user unknown",
        created_at=desk_services.clock.now()))
    sign_in_as(desk_services, client, AGENT)
    html = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert "No e-mail reaches this address" in html and "550 5.1.1 user unknown" in html
    other = submit(desk_services, "Fine", email="ok@elsewhere.example")
    assert "No e-mail reaches" not in client.get(f"/desk/tickets/{other}").get_data(as_text=True)
