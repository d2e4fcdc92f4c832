"""/desk/reports (#12): good and bad counts, comments, first-response and resolution
times against the SLA, per week, per product and per agent; only the agent's own
products. Through the Flask test client on SQLite; the domain's sums in a unit test."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from loket.domain.reports import UNASSIGNED, Rated, satisfaction
from loket.services.ratings import rate
from loket.services.status import agent_reply, assign
from loket.services.sweeper import sweep
from tests.desk.conftest import AGENT, PAYROLL_AGENT, sign_in_as
from tests.desk.test_desk_pages import submit
from tests.workflow.conftest import local


def rows(html: str, heading: str) -> list[list[str]]:
    table = html.split(f"<h2>{heading}</h2>", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_report_counts_ratings_and_times_per_week_product_and_agent(desk_services, client,
                                                                         clock):
    csrf = sign_in_as(desk_services, client, AGENT)
    fast = submit(desk_services, "Fast")           # Thursday 26 November, 10:30
    slow = submit(desk_services, "Slow")
    open_one = submit(desk_services, "Open")
    clock.set(local("2026-11-26 11:30"))
    agent_reply(desk_services, fast, "Fixed", agent=AGENT, status="solved-in-update")
    assign(desk_services, fast, AGENT, by=AGENT)
    clock.set(local("2026-11-30 09:00"))  # after 1 working day: first responses breached
    sweep(desk_services)
    agent_reply(desk_services, slow, "Sorry", agent=PAYROLL_AGENT, status="solved-in-update")
    rate(desk_services, desk_services.store.get_ticket(fast), "good", "Quick <and> right",
         by="zed@elsewhere.example")
    rate(desk_services, desk_services.store.get_ticket(slow), "bad", "", by="zed@elsewhere.example")
    payroll = submit(desk_services, "Payroll", product="payroll")
    page = client.get("/desk/reports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    [product] = rows(html, "Per product")
    assert product[:5] == ["2026-11-23", "Nordwind Planner", "3", "1", "1"]
    # Answered after 1h (met) and 14h30m of working time (breached); the open one
    # breached without an answer: it counts, with no time.
    assert product[5] == "1 of 3 met · median 7h 45m"
    assert product[6] == "2 of 2 met · median 7h 45m"
    assert rows(html, "Per agent") == [
        ["2026-11-23", AGENT, "1", "1", "0", "1 of 1 met · median 1h 00m",
         "1 of 1 met · median 1h 00m"],
        ["2026-11-23", "(unassigned)", "2", "0", "1", "0 of 2 met · median 14h 30m",
         "1 of 1 met · median 14h 30m"]]
    assert "Quick &lt;and&gt; right" in html and f'href="/desk/tickets/{fast}' in html
    assert f"#{payroll}" not in html and "Payroll" not in product
    assert client.get("/desk/reports?product=payroll").status_code == 422
    assert client.get("/desk/reports?weeks=0").status_code == 422
    assert client.get("/desk/reports?weeks=abc").status_code == 422
    assert open_one and csrf


def test_weeks_and_agents_are_grouped_and_an_unreached_target_is_left_out():
    from loket.domain.calendar import BusinessCalendar
    from loket.domain.tickets import Ticket
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Amsterdam")
    calendar = BusinessCalendar(zone=zone)
    monday = local("2026-11-23 09:00")
    base = Ticket(1, "k", "a@x", "planner", "t", "s", {}, "en", "open", monday, monday)
    tickets = [
        (replace(base, number=1, assignee="bea"), Rated(1, True, "")),
        (replace(base, number=2, created_at=monday + timedelta(days=7), updated_at=monday),
         None),
        (replace(base, number=3, assignee="bea", sla_breaches=("first-response",)),
         Rated(3, False, "late")),
    ]
    found = satisfaction(tickets, group=lambda t: t.assignee or UNASSIGNED, calendar=calendar,
                         resolved=lambda t: False)
    assert [(r.week.isoformat(), r.group, r.tickets, r.good, r.bad) for r in found] == [
        ("2026-11-30", UNASSIGNED, 1, 0, 0), ("2026-11-23", "bea", 2, 1, 1)]
    bea = found[1]
    assert (bea.first_response.reached, bea.first_response.met) == (1, 0)
    assert bea.first_response.median is None and bea.resolution.reached == 0
    assert [c.comment for c in bea.comments] == ["late"]
