"""Information a customer sends on a finished ticket lands in an agent's queue at once
(issue #11, defect 2): a solved ticket is reopened, a closed one gets a follow-up ticket;
either way the next look at the desk lists it, with no timer or sweep in between."""

from __future__ import annotations

import re

from loket.config import load_portal_config
from loket.services.status import close_ticket, set_status
from tests.desk.conftest import AGENT, sign_in_as
from tests.desk.test_desk_pages import listed, submit
from tests.paths import SITE_CONFIG


def send_information(app, services, number: int, body: str) -> str:
    """The customer's "Send" on the ticket page (their own browser, the e-mailed link)."""
    token = services.store.get_ticket(number).access_key
    sent = app.test_client().post(f"/portal/tickets/{number}/messages?token={token}&lang=en",
                                  data={"body": body})
    assert sent.status_code == 303
    return sent.headers["Location"]


def test_send_on_a_closed_ticket_puts_its_follow_up_in_the_agents_queue(desk_services, app,
                                                                         client):
    sign_in_as(desk_services, client, AGENT)
    number = submit(desk_services, "Export fails again")
    close_ticket(desk_services, number)
    assert number not in listed(client.get("/desk/").get_data(as_text=True))

    location = send_information(app, desk_services, number, "It is back after the update.")

    follow_up = int(re.search(r"/portal/tickets/(\d+)", location).group(1))
    assert follow_up != number and "notice=follow-up" in location
    queue = client.get("/desk/").get_data(as_text=True)
    assert follow_up in listed(queue) and number not in listed(queue)
    ticket = client.get(f"/desk/tickets/{follow_up}").get_data(as_text=True)
    assert "It is back after the update." in ticket and str(number) in ticket


def test_send_on_a_solved_ticket_puts_it_back_in_the_agents_queue(desk_services, app, client):
    # The demo workflow (reminder-and-close) lets a customer reopen a solved ticket;
    # application-management's has no way back from "solved" and makes a follow-up.
    desk_services.config = load_portal_config(SITE_CONFIG)
    desk_services.config.submissions.per_hour = 10_000
    sign_in_as(desk_services, client, AGENT)
    number = submit(desk_services, "Payslips not e-mailed")
    set_status(desk_services, number, "solved")
    assert number not in listed(client.get("/desk/").get_data(as_text=True))

    location = send_information(app, desk_services, number, "Still not e-mailed today.")

    assert "notice=reopened" in location
    assert number in listed(client.get("/desk/").get_data(as_text=True))
    assert "Still not e-mailed today." in client.get(f"/desk/tickets/{number}").get_data(
        as_text=True)
