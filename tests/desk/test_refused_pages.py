"""The desk's refused mail (/desk/refused/): the list, a mail's page with its text (escaped)
and original, and "take in anyway"; agents only, a held reply only for agents of its
ticket's product."""

from __future__ import annotations

import re

import pytest

from loket.domain.refused import RefusalKind
from loket.services.mail_in import take_in_mail
from tests.desk.conftest import AGENT, ANN, PAYROLL_AGENT, sign_in_as
from tests.mail.conftest import make_mail


@pytest.fixture
def agent(desk_services, client):
    return sign_in_as(desk_services, client, AGENT)


def refuse(services, **mail):
    decision = take_in_mail(services, make_mail(**mail))
    assert decision.action == "refused", decision
    return decision


def automatic(services, subject="Out of office <script>alert(1)</script>"):
    return refuse(services, subject=subject, body="Back on <b>Monday</b>.",
                  headers={"Auto-Submitted": "auto-replied"})


def listed(html: str) -> list[str]:
    return re.findall(r'<tr data-refused="(\w+)"', html)


def test_agents_see_refused_mail_newest_first_and_read_it_escaped(desk_services, client,
                                                                  agent, clock):
    first = automatic(desk_services, "First away")
    clock.move(minutes=5)
    second = automatic(desk_services)
    page = client.get("/desk/refused/")
    assert page.status_code == 200
    assert listed(page.text) == [second.refused_id, first.refused_id]
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text
    mail = client.get(f"/desk/refused/{second.refused_id}")
    assert mail.status_code == 200
    assert "automatic: automatic message (Auto-Submitted: auto-replied)" in mail.text
    assert "Back on &lt;b&gt;Monday&lt;/b&gt;." in mail.text
    original = client.get(f"/desk/refused/{second.refused_id}/original.eml")
    assert original.status_code == 200 and original.mimetype == "message/rfc822"
    assert original.headers["Content-Disposition"].startswith("attachment;")
    assert b"Back on <b>Monday</b>." in original.data


def test_take_in_anyway_makes_the_ticket_and_opens_it(desk_services, client, agent):
    refused = automatic(desk_services, "Vacation, but a real question")
    answer = client.post(f"/desk/refused/{refused.refused_id}/take-in",
                         data={"csrf_token": agent})
    assert answer.status_code == 303
    number = int(answer.headers["Location"].split("/desk/tickets/")[1].split("?")[0])
    assert desk_services.store.get_ticket(number).subject == "Vacation, but a real question"
    record = desk_services.store.get_refused(refused.refused_id)
    assert (record.ticket, record.taken_in_by) == (number, AGENT)
    assert "taken in as" in client.get("/desk/refused/").text


def test_take_in_without_the_csrf_token_is_refused(desk_services, client, agent):
    refused = automatic(desk_services)
    answer = client.post(f"/desk/refused/{refused.refused_id}/take-in", data={})
    assert answer.status_code in (400, 403)
    assert desk_services.store.get_refused(refused.refused_id).held


def test_a_held_dmarc_reply_is_for_the_agents_of_its_ticket_only(desk_services, client,
                                                                 agent, people):
    take_in_mail(desk_services, make_mail(sender="zed@elsewhere.example"))
    number = desk_services.config.first_ticket_number
    held = refuse(desk_services, sender="zed@elsewhere.example", subject=f"Re: [#{number}]",
                  body="New bank account: ...",
                  headers={"Authentication-Results": "mx.nordwind.example; dmarc=fail "
                                                      "header.from=elsewhere.example"})
    assert held.kind is RefusalKind.DMARC
    assert listed(client.get("/desk/refused/").text) == [held.refused_id]
    sign_in_as(desk_services, client, PAYROLL_AGENT)
    assert listed(client.get("/desk/refused/").text) == []
    assert client.get(f"/desk/refused/{held.refused_id}").status_code == 404
    assert client.get(f"/desk/refused/{held.refused_id}/original.eml").status_code == 404


@pytest.mark.parametrize("path", ["/desk/refused/", "/desk/refused/{id}",
                                  "/desk/refused/{id}/original.eml"])
def test_customers_get_not_found(desk_services, client, path):
    refused = automatic(desk_services)
    sign_in_as(desk_services, client, ANN)
    assert client.get(path.format(id=refused.refused_id)).status_code == 404


def test_unknown_ids_and_cursors_are_answered_cleanly(desk_services, client, agent):
    for path in ("/desk/refused/nope", "/desk/refused/..%2F..%2Fetc",
                 "/desk/refused/" + "a" * 5000,  # longer than any store key may be
                 "/desk/refused/0123456789abcdef0123456789abcdef/original.eml"):
        assert client.get(path).status_code == 404
    assert client.get("/desk/refused/?before=not-a-time").status_code == 200
    assert client.post("/desk/refused/nope/take-in",
                       data={"csrf_token": agent}).status_code == 404


def test_the_queue_links_to_refused_mail(desk_services, client, agent):
    assert 'href="/desk/refused/?lang=en"' in client.get("/desk/").text
