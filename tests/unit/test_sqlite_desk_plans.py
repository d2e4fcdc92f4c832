"""SQLite answers every desk view, count and search from an index, never by scanning
the tickets table: checked on the query plans of the statements the store runs."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from loket.domain.desk_queues import at_risk_bound
from loket.storage.desk_queries import NEWEST, OLDEST, WORK, DeskView, TicketSearch
from loket.storage.sqlite import SQLiteStore

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def plans(tmp_path):
    """The store, recording the plan of every statement it runs on tickets."""
    store = SQLiteStore(tmp_path / "loket.db")
    conn = store._connection()
    seen: list[str] = []

    class Recording:
        def execute(self, sql, args=()):
            if "tickets" in sql and sql.lstrip().upper().startswith("SELECT"):
                seen.append(" / ".join(row[-1] for row in conn.execute(
                    "EXPLAIN QUERY PLAN " + sql, args)))
            return conn.execute(sql, args)

    store._connection = lambda: Recording()
    return store, seen


VIEWS = [DeskView("planner", category="new", order=o) for o in (WORK, NEWEST, OLDEST)] + \
    [DeskView("planner", owner="bo@vendor.example", order=o) for o in (WORK, NEWEST)] + \
    [DeskView("planner", order=o) for o in (WORK, NEWEST)] + \
    [DeskView("planner", due_by=at_risk_bound(T0)),
     DeskView("planner", category="new", order=WORK, after="~|01|2026|000000010001")]

SEARCHES = [TicketSearch(frozenset({"planner", "payroll"}), words=("export",)),
            TicketSearch(frozenset({"planner"}), requester="Ann@example.com"),
            TicketSearch(frozenset({"planner"}), organization="acme"),
            TicketSearch(frozenset({"planner"}), status="open", category="open"),
            TicketSearch(frozenset({"planner"}), priority="p1", created_from=T0)]


@pytest.mark.parametrize("view", VIEWS, ids=repr)
def test_views_and_counts_search_an_index(plans, view):
    store, seen = plans
    store.desk_view(view)
    store.count_desk_view(view, 1000)
    for plan in seen:
        assert "SCAN tickets" not in plan and " INDEX " in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # the index gives the order


@pytest.mark.parametrize("search", SEARCHES, ids=repr)
def test_searches_lead_with_their_narrowest_index(plans, search):
    store, seen = plans
    store.search_tickets(search)
    [plan] = seen
    assert "SCAN tickets" not in plan and "TEMP B-TREE" not in plan, plan
    if search.words:
        assert plan.startswith("SCAN ticket_words VIRTUAL TABLE"), plan
    elif search.requester:
        assert "tickets_by_account" in plan, plan
    elif search.organization:
        assert "tickets_by_organization" in plan, plan
    elif search.category:
        assert "desk_by_category" in plan, plan
