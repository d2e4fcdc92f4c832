"""The record on the desk (#12): the timeline of every change, ratings, merging a
duplicate and linking related tickets, and collision (presence, a reply from a stale
page held back with its text kept). Through the Flask test client, SQLite."""

from __future__ import annotations

import re

import pytest

from loket.domain.events import EventKind
from loket.services.ratings import rate
from loket.services.status import set_status
from tests.desk.conftest import AGENT, PAYROLL_AGENT, sign_in_as
from tests.desk.test_desk_pages import submit

OTHER_AGENT = "second-desk@nordwind.example"


@pytest.fixture
def agent(desk_services, client):
    return sign_in_as(desk_services, client, AGENT)


def kinds(services, number):
    return [e.kind for e in services.store.list_events(number)]


def timeline(html: str) -> list[str]:
    rows = re.findall(r'<li class="loket-timeline-event[^"]*">(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_timeline_shows_who_when_and_what_newest_first(desk_services, client, agent):
    number = submit(desk_services)
    client.post(f"/desk/tickets/{number}/reply",
                data={"csrf_token": agent, "body": "Try <b>again</b>", "internal": "on"})
    client.post(f"/desk/tickets/{number}/status",
                data={"csrf_token": agent, "status": "solved-in-update"})
    html = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    rows = timeline(html)
    assert rows[0].startswith("26 Nov 2026, 10:30 CET " + AGENT + " Status ")
    assert "Internal note: Try &lt;b&gt;again&lt;/b&gt;" in rows[1]
    assert rows[-1].endswith("Submitted the ticket (Waiting for support)")
    assert "zed@elsewhere.example" in rows[-1]


def test_a_rating_shows_on_the_ticket_and_in_its_timeline(desk_services, client, agent):
    number = submit(desk_services)
    set_status(desk_services, number, "solved-in-update", by=AGENT)
    rate(desk_services, desk_services.store.get_ticket(number), "bad", "Too <slow>",
         by="zed@elsewhere.example")
    html = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert 'class="loket-rating--bad">Bad' in html and "Too &lt;slow&gt;" in html
    assert "Rated the help bad: “Too &lt;slow&gt;”" in timeline(html)[0]


def test_merging_a_duplicate_closes_it_with_a_pointer_and_tells_the_customer(
        desk_services, client, agent, outbox):
    target = submit(desk_services, "Export fails", email="zed@elsewhere.example")
    duplicate = submit(desk_services, "Export still fails", email="ZED@elsewhere.example")
    answer = client.post(f"/desk/tickets/{duplicate}/merge",
                         data={"csrf_token": agent, "into": f"#{target}"})
    assert answer.status_code == 303
    closed = desk_services.store.get_ticket(duplicate)
    assert desk_services.config.status(closed.status).category in ("closed", "cancelled",
                                                                    "solved")
    assert f"merged into ticket #{target}" in desk_services.store.list_messages(duplicate)[-1].body
    assert kinds(desk_services, duplicate)[-3:] == [EventKind.STATUS, EventKind.REPLY,
                                                    EventKind.MERGED_INTO]
    assert kinds(desk_services, target)[-1] is EventKind.MERGED_FROM
    merged = [m for m in desk_services.store.list_mail(pending=True) if m.kind == "merged"]
    assert [(m.to, m.ticket, m.data["into"], m.data["customer"]) for m in merged] == [
        ("ZED@elsewhere.example", duplicate, target, "ZED@elsewhere.example")]
    assert not [m for m in desk_services.store.list_mail(pending=True)
                if m.ticket == duplicate and m.kind == "status-change"]
    page = client.get(f"/desk/tickets/{target}").get_data(as_text=True)
    assert f"Merged from <a href=\"/desk/tickets/{duplicate}" in page
    assert "Export still fails" in page  # the duplicate's messages are shown there
    again = client.post(f"/desk/tickets/{duplicate}/merge",
                        data={"csrf_token": agent, "into": str(target)})
    assert again.status_code == 422 and "is merged already" in again.get_data(as_text=True)


@pytest.mark.parametrize("into, says", [
    ("", "must be a ticket number"), ("abc", "must be a ticket number"),
    ("99999", "there is no ticket #99999"), ("SELF", "another ticket than this one"),
    ("OTHER_REQUESTER", "another requester"), ("PAYROLL", "there is no ticket #"),
])
def test_a_merge_that_cannot_be_made_says_why_and_changes_nothing(desk_services, client,
                                                                   agent, into, says):
    number = submit(desk_services)
    other = submit(desk_services, "Other", email="someone@else.example")
    payroll = submit(desk_services, "Payroll", product="payroll")
    into = {"SELF": str(number), "OTHER_REQUESTER": str(other),
            "PAYROLL": str(payroll)}.get(into, into)
    answer = client.post(f"/desk/tickets/{number}/merge",
                         data={"csrf_token": agent, "into": into})
    assert answer.status_code == 422 and says in answer.get_data(as_text=True).lower()
    assert kinds(desk_services, number) == [EventKind.CREATED]


def test_linked_tickets_show_on_both_and_linking_twice_changes_nothing(desk_services, client,
                                                                        agent):
    a = submit(desk_services, "Printer jams")
    b = submit(desk_services, "Printer jams again", email="other@elsewhere.example")
    for _ in range(2):
        assert client.post(f"/desk/tickets/{a}/link",
                           data={"csrf_token": agent, "other": str(b)}).status_code == 303
    assert kinds(desk_services, a) == [EventKind.CREATED, EventKind.LINKED]
    assert kinds(desk_services, b) == [EventKind.CREATED, EventKind.LINKED]
    assert f'href="/desk/tickets/{b}?lang=en">#{b} Printer jams again' in client.get(
        f"/desk/tickets/{a}").get_data(as_text=True)
    assert f'href="/desk/tickets/{a}?lang=en">#{a} Printer jams' in client.get(
        f"/desk/tickets/{b}").get_data(as_text=True)


def test_a_reply_from_a_stale_page_is_held_back_with_its_text_kept(desk_services, client,
                                                                    agent):
    number = submit(desk_services)
    seen = desk_services.store.get_ticket(number).version
    set_status(desk_services, number, "solved-in-update", by=OTHER_AGENT)
    answer = client.post(f"/desk/tickets/{number}/reply",
                         data={"csrf_token": agent, "body": "My <typed> answer",
                               "status": "waiting-on-customer", "version": str(seen)})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Not sent: the ticket changed since you opened it" in html
    assert OTHER_AGENT in html and "My &lt;typed&gt; answer</textarea>" in html
    ticket = desk_services.store.get_ticket(number)
    assert ticket.status == "solved-in-update"  # the other agent's change stands
    assert f'data-version="{ticket.version}"' in html  # the page is fresh now
    assert len(desk_services.store.list_messages(number)) == 1
    sent = client.post(f"/desk/tickets/{number}/reply",
                       data={"csrf_token": agent, "body": "My answer",
                             "version": str(ticket.version)})
    assert sent.status_code == 303 and len(desk_services.store.list_messages(number)) == 2


def test_an_agents_own_changes_never_make_their_page_stale(desk_services, client, agent):
    number = submit(desk_services)
    seen = desk_services.store.get_ticket(number).version
    client.post(f"/desk/tickets/{number}/status",
                data={"csrf_token": agent, "status": "solved-in-update",
                      "version": str(seen)})
    answer = client.post(f"/desk/tickets/{number}/reply",
                         data={"csrf_token": agent, "body": "Done", "version": str(seen)})
    assert answer.status_code == 303


def test_presence_tells_each_agent_who_else_is_there_and_what_they_did(desk_services, app,
                                                                       client, agent):
    desk_services.store.save_account(
        desk_services.store.get_account(PAYROLL_AGENT).__class__(
            **{**desk_services.store.get_account(PAYROLL_AGENT).__dict__,
               "products": frozenset({"planner", "payroll"})}))
    other = app.test_client()
    sign_in_as(desk_services, other, PAYROLL_AGENT)
    number = submit(desk_services)
    version = desk_services.store.get_ticket(number).version
    first = client.get(f"/desk/tickets/{number}/presence?version={version}").get_json()
    assert first == {"version": version, "others": [], "changes": []}
    seen = other.get(f"/desk/tickets/{number}/presence?version={version}").get_json()
    assert seen["others"] == [AGENT]
    set_status(desk_services, number, "solved-in-update", by=PAYROLL_AGENT)
    now = client.get(f"/desk/tickets/{number}/presence?version={version}").get_json()
    assert now["others"] == [PAYROLL_AGENT] and now["version"] == version + 1
    assert [(c["who"], c["kind"]) for c in now["changes"]] == [(PAYROLL_AGENT, "status")]
    assert "desk_presence.js" in client.get(f"/desk/tickets/{number}").get_data(as_text=True)


def test_a_link_to_another_products_ticket_shows_no_number_to_an_agent_without_it(
        desk_services, client, agent):
    """Linked by an agent of both products; an agent of one sees no trace of the other
    ticket but that there is one."""
    from types import SimpleNamespace

    from loket.services.merging import link

    planner = submit(desk_services, "Planner side")
    payroll = submit(desk_services, "Payroll side", product="payroll")
    both = SimpleNamespace(account=SimpleNamespace(is_agent=True, email=PAYROLL_AGENT),
                           may_see=lambda ticket: True)
    link(desk_services, both, planner, str(payroll))
    html = client.get(f"/desk/tickets/{planner}").get_data(as_text=True)
    assert f"#{payroll}" not in html and "Payroll side" not in html
    assert "Linked to a ticket of another product" in html


def test_presence_and_a_stale_notice_show_no_number_of_another_products_ticket(
        desk_services, client, agent):
    """What others did since the page was shown, polled as JSON or told when a reply is
    held back, hides a linked ticket of a product the agent may not open, as the page
    does: the agent of one product learns only that there is one."""
    from types import SimpleNamespace

    from loket.services.merging import link

    planner = submit(desk_services, "Planner side")
    payroll = submit(desk_services, "Payroll side", product="payroll")
    version = desk_services.store.get_ticket(planner).version
    both = SimpleNamespace(account=SimpleNamespace(is_agent=True, email=PAYROLL_AGENT),
                           may_see=lambda ticket: True)
    link(desk_services, both, planner, str(payroll))
    polled = client.get(f"/desk/tickets/{planner}/presence?version={version}").get_json()
    [change] = [c for c in polled["changes"] if c["kind"] == "linked"]
    assert change["what"] == "Linked to a ticket of another product"
    assert f"#{payroll}" not in str(polled) and "Payroll side" not in str(polled)
    held = client.post(f"/desk/tickets/{planner}/reply",
                       data={"csrf_token": agent, "body": "Any news?", "version": version})
    assert held.status_code == 409
    text = held.get_data(as_text=True)
    assert "Linked to a ticket of another product" in text and f"#{payroll}" not in text
