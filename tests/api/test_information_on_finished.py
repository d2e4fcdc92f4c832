"""Information added on the ticket page (no JavaScript) or through the API to a
finished ticket (issue #11, defect 2): reopened within the period, a follow-up ticket
otherwise (and always from the default workflow's final "closed"); the page says which."""

from __future__ import annotations

import re

from loket.services.status import close_ticket, set_status
from tests.api.conftest import VALID


def submitted(client) -> tuple[int, str]:
    receipt = client.post("/api/tickets", json=VALID).get_json()
    return receipt["number"], receipt["token"]


def test_the_page_reopens_a_solved_ticket_and_says_so(services, client, outbox):
    number, token = submitted(client)
    set_status(services, number, "solved")
    sent = client.post(f"/portal/tickets/{number}/messages?token={token}&lang=nl",
                       data={"body": "Het werkt nog steeds niet."})
    assert sent.status_code == 303 and "notice=reopened" in sent.headers["Location"]
    assert services.store.get_ticket(number).status == "open"
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Uw informatie heeft deze melding heropend" in page


def test_the_page_sends_information_on_a_closed_ticket_to_a_follow_up(services, client,
                                                                    outbox):
    number, token = submitted(client)
    close_ticket(services, number)
    sent = client.post(f"/portal/tickets/{number}/messages?token={token}&lang=en",
                       data={"body": "It is back after the update."})
    assert sent.status_code == 303
    location = sent.headers["Location"]
    new = int(re.search(r"/portal/tickets/(\d+)", location).group(1))
    assert new != number and "notice=follow-up" in location
    ticket = services.store.get_ticket(new)
    assert ticket.follow_up_of == number and ticket.access_key in location
    page = client.get(location).get_data(as_text=True)
    assert f"Ticket {number} was closed too long ago to reopen" in page
    assert "It is back after the update." in page
    assert services.store.get_ticket(number).status == "closed"
    assert f"[#{new}]" in outbox.messages()[-1]["Subject"]


def test_a_made_up_notice_shows_nothing(services, client):
    number, token = submitted(client)
    page = client.get(f"/portal/tickets/{number}?token={token}&notice=follow-up")
    assert "loket-notice" not in page.get_data(as_text=True)  # It is no follow-up.


def test_the_api_says_what_became_of_the_information(services, client, clock):
    number, token = submitted(client)
    added = client.post(f"/api/tickets/{number}/messages", query_string={"token": token},
                        json={"body": "More detail."})
    assert added.status_code == 201 and added.get_json()["outcome"] == "added"
    set_status(services, number, "solved")
    reopened = client.post(f"/api/tickets/{number}/messages", query_string={"token": token},
                           json={"body": "Still broken."})
    assert reopened.get_json()["outcome"] == "reopened"
    assert reopened.get_json()["status"]["id"] == "open"
    set_status(services, number, "solved")
    clock.move(days=services.config.accounts.reopen_within_days, seconds=1)
    follow = client.post(f"/api/tickets/{number}/messages", query_string={"token": token},
                         json={"body": "Back again."})
    assert follow.status_code == 201
    body = follow.get_json()
    assert body["outcome"] == "follow-up" and body["follow_up_of"] == number
    assert follow.headers["Location"].endswith(f"/api/tickets/{body['number']}")
    new = client.get(f"/api/tickets/{body['number']}", query_string={"token": body["token"]})
    assert new.get_json()["messages"][0]["body"] == "Back again."


def test_asking_again_on_a_closed_ticket_says_why_the_page_is_another_ticket(services, client):
    number, token = submitted(client)
    close_ticket(services, number)
    sent = client.post(f"/portal/tickets/{number}/reopen?token={token}&lang=de",
                       data={"body": "Es ist wieder da."})
    location = sent.headers["Location"]
    assert sent.status_code == 303 and location.endswith("&notice=follow-up")
    page = client.get(location).get_data(as_text=True)
    assert f"Ticket {number} wurde vor zu langer Zeit geschlossen" in page
