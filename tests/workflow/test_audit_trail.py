"""The audit trail (#12): every path that changes a ticket writes its events, on both
stores. Each use case runs once (customer, agent, timers, SLA, rating, merge, link),
and then every version a ticket went through must have at least one event, each path
the event that names it. A static check keeps new code on the one road: every call of
the store's save_ticket passes events (the store refuses a save without them)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from loket.domain.events import EventKind, version_of_key
from loket.services import status as use_cases
from loket.services.merging import link, merge
from loket.services.plans import mark_warranty
from loket.services.ratings import rate
from tests.paths import ROOT

AGENT = SimpleNamespace(account=SimpleNamespace(is_agent=True, email="piet@nordwind.example"),
                        may_see=lambda ticket: True)


def kinds(desk, number):
    return [e.kind for e in desk.services.store.list_events(number)]


def assert_every_version_has_an_event(desk, number):
    ticket = desk.ticket(number)
    versions = {version_of_key(e.key) for e in desk.services.store.list_events(number)}
    assert versions - {0} == set(range(1, ticket.version + 1)), (number, ticket.version)


def test_every_change_path_writes_its_event(make_desk):
    desk = make_desk("reminder-and-close", "2026-11-30 09:30")  # a Monday
    a = desk.submit()
    desk.set_priority(a, "high", "high")                  # critical: answer in 1 hour
    use_cases.assign(desk.services, a, "planner-second-line", by="piet@nordwind.example")
    mark_warranty(desk.services, AGENT, a, True)
    desk.at("2026-11-30 10:45").sweep()                    # first response breached
    use_cases.agent_reply(desk.services, a, "Checking the logs", agent="piet@nordwind.example",
                          public=False)
    desk.agent_replies(a, status="waiting-on-customer")
    desk.at("2026-12-09 10:00").sweep()                    # 7 days: reminder
    desk.at("2026-12-18 10:00").sweep()                    # 14 days: closed by the timer
    rate(desk.services, desk.ticket(a), "bad", "Closed on me", by="ann@example.com")
    assert {EventKind.CREATED, EventKind.PRIORITY, EventKind.ASSIGNED, EventKind.WARRANTY,
            EventKind.BREACH, EventKind.NOTE, EventKind.REPLY, EventKind.STATUS,
            EventKind.REMINDER, EventKind.RATED} <= set(kinds(desk, a))
    closed_by = [e for e in desk.services.store.list_events(a)
                 if e.kind is EventKind.STATUS and e.detail["new"] == "closed"]
    assert [(e.by, e.detail["cause"]) for e in closed_by] == [("system", "timer")]

    b = desk.submit(subject="Import fails too")
    desk.set_status(b, "solved")
    desk.customer_reopens(b)
    desk.customer_replies(b, "Still broken")
    desk.customer_closes(b, "Found it myself")
    assert kinds(desk, b).count(EventKind.STATUS) == 3
    assert kinds(desk, b).count(EventKind.CUSTOMER_MESSAGE) == 2

    c = desk.submit(subject="Export fails again")
    link(desk.services, AGENT, b, str(c))
    merge(desk.services, AGENT, c, str(a))
    assert EventKind.LINKED in kinds(desk, b) and EventKind.LINKED in kinds(desk, c)
    assert EventKind.MERGED_INTO in kinds(desk, c) and EventKind.MERGED_FROM in kinds(desk, a)
    for number in (a, b, c):
        assert_every_version_has_an_event(desk, number)


def test_every_save_in_the_code_passes_its_events():
    """Only services/changes.py and the sweeper save tickets, and both pass events."""
    calls = {}
    for path in (ROOT / "functions" / "loket").rglob("*.py"):
        text = path.read_text()
        for found in re.finditer(r"\.save_ticket\(", text):
            call = text[found.start():text.index(")\n", found.start())]
            calls[f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, found.start()) + 1}"] = call
    assert calls and all("events=" in call for call in calls.values()), calls
    assert {place.split(":")[0] for place in calls} == {
        "functions/loket/services/changes.py", "functions/loket/services/sweeper.py"}
