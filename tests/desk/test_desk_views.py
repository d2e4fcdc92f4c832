"""The desk's views with their counts and the ticket search, through the Flask test
client on the real services (SQLite, a fixed clock, the application-management preset
with its SLA): what each view holds, its order, its pages, and that an agent sees
nothing of another board's product."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from loket.services.assignment import assign_from_list
from loket.services.status import agent_reply, set_priority, set_status
from tests.desk.conftest import AGENT, PAYROLL_AGENT, sign_in_as
from tests.desk.test_desk_pages import listed, submit


@pytest.fixture
def agent(desk_services, client):
    return sign_in_as(desk_services, client, AGENT)


def html_of(client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    return answer.get_data(as_text=True)


def counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'href="/desk/views/([a-z]+)[^"]*"[^>]*>[^<]*'
                           r'<span class="loket-count">([^<]*)</span>', html))


def test_each_view_holds_what_its_name_says(desk_services, client, agent):
    new = submit(desk_services, "New one")
    mine = submit(desk_services, "Mine")
    assign_from_list(desk_services, mine, AGENT, by=AGENT)
    waiting = submit(desk_services, "Waiting")
    agent_reply(desk_services, waiting, "Which version?", agent=AGENT,
                status="waiting-on-customer")
    payroll = submit(desk_services, "Payroll", product="payroll")
    html = html_of(client, "/desk/views/new")
    # Assigning leaves the status (and so the category) be: still new.
    assert set(listed(html)) == {new, mine} and payroll not in listed(html)
    assert listed(html_of(client, "/desk/views/mine")) == [mine]
    assert set(listed(html_of(client, "/desk/views/unassigned"))) == {new, waiting}
    assert listed(html_of(client, "/desk/views/waiting")) == [waiting]
    assert set(listed(html_of(client, "/desk/views/all"))) == {new, mine, waiting}
    assert counts(html) == {"new": "2", "mine": "1", "unassigned": "2", "waiting": "1",
                            "sla": "0", "all": "3"}


def test_needs_work_first_puts_the_nearest_sla_moment_and_priority_first(
        desk_services, client, agent):
    normal = submit(desk_services, "Normal")
    urgent = submit(desk_services, "Urgent")
    set_priority(desk_services, urgent, "high", "high")
    html = html_of(client, "/desk/views/all")
    assert listed(html) == [urgent, normal]
    assert listed(html_of(client, "/desk/views/all?order=oldest")) == [normal, urgent]
    assert listed(html_of(client, "/desk/views/all?order=newest")) == [urgent, normal]


def test_the_sla_view_shows_tickets_at_risk_and_breached(desk_services, client, agent, clock):
    urgent = submit(desk_services, "Urgent")
    set_priority(desk_services, urgent, "high", "high")  # first response within 1 hour
    calm = submit(desk_services, "Calm")                  # within 1 working day
    html = html_of(client, "/desk/views/sla")
    assert listed(html) == [urgent]
    assert counts(html)["sla"] == "1"
    clock.move(hours=23)  # Friday 09:30: urgent long breached, calm due at 10:30
    assert listed(html_of(client, "/desk/views/sla")) == [urgent, calm]
    assert client.get("/desk/views/sla?order=newest").status_code == 422


def test_views_page_by_cursor(desk_services, client, agent):
    numbers = [submit(desk_services, f"t{i}") for i in range(27)]
    first = html_of(client, "/desk/views/new")
    assert len(listed(first)) == 25
    after = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = html_of(client, after)
    assert sorted(listed(first) + listed(second)) == numbers
    assert 'rel="next"' not in second
    assert client.get("/desk/views/new?after=nonsense").status_code == 422
    assert client.get("/desk/views/new?order=sideways").status_code == 422


def test_an_agent_sees_nothing_of_another_boards_product(desk_services, client):
    planner = submit(desk_services, "Planner crash")
    sign_in_as(desk_services, client, PAYROLL_AGENT)
    for view in ("new", "unassigned", "all", "sla", "waiting", "mine"):
        html = html_of(client, f"/desk/views/{view}")
        assert planner not in listed(html)
        assert set(counts(html).values()) == {"0"}
    assert client.get("/desk/views/all?product=planner").status_code == 422
    assert listed(html_of(client, "/desk/search?q=crash")) == []
    assert client.get(f"/desk/search?q={planner}").status_code == 200  # not a redirect
    assert client.get("/desk/search?product=planner").status_code == 422


def test_search_by_number_words_and_fields(desk_services, client, agent):
    crash = submit(desk_services, "Crash when printing", email="ann@acme.example")
    other = submit(desk_services, "Slow login")
    agent_reply(desk_services, other, "Please send the PRINTER log.", agent=AGENT,
                public=False)
    set_status(desk_services, other, "in-progress")
    assert client.get(f"/desk/search?q=%23{crash}").headers["Location"].startswith(
        f"/desk/tickets/{crash}")
    assert listed(html_of(client, "/desk/search?q=printing")) == [crash]
    assert listed(html_of(client, "/desk/search?q=printer")) == [other]
    assert listed(html_of(client, "/desk/search?requester=ANN@acme.example")) == [crash]
    assert listed(html_of(client, "/desk/search?status=in-progress")) == [other]
    assert listed(html_of(client, "/desk/search?from=2026-11-26&to=2026-11-26")) == \
        [other, crash]
    assert listed(html_of(client, "/desk/search?from=2026-11-27")) == []
    bad = client.get("/desk/search?from=26-11-2026&status=nonsense")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "from: Must be a date as YYYY-MM-DD." in text and "status:" in text


def test_customers_and_strangers_get_not_found(desk_services, client):
    from tests.desk.conftest import ANN

    sign_in_as(desk_services, client, ANN)
    assert client.get("/desk/views/new").status_code == 404
    assert client.get("/desk/search?q=x").status_code == 404
    sign_in_as(desk_services, client, AGENT)
    assert client.get("/desk/views/nonsense").status_code == 404
