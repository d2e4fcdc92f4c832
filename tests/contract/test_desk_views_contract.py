"""The desk's views, their counts and ticket search, as every store must answer them
(storage/desk_queries.py): on SQLite and on DynamoDB (moto)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from loket.domain.desk_queues import at_risk_bound
from loket.domain.tickets import AuthorRole, Message, NewTicket
from loket.storage.desk_queries import (NEWEST, OLDEST, WORK, DeskView, TicketSearch,
                                        work_key, words)
from tests.stores import save_audited

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


def order(sla_hours: float | None, rank: int, created: datetime) -> str:
    due = (T0 + timedelta(hours=sla_hours)).isoformat(timespec="microseconds") \
        if sla_hours is not None else "~"
    return f"{due}|{rank:02d}|{created.isoformat(timespec='microseconds')}"


def new(subject="Export fails", *, product="planner", category="new", sla=None, rank=1,
        minutes=0, email="ann@example.com", **changes) -> NewTicket:
    created = T0 + timedelta(minutes=minutes)
    values = dict(email=email, product=product, type="problem-report", subject=subject,
                  description="The export button shows an error.", fields={},
                  language="en", status="waiting" if category == "pending" else category,
                  created_at=created, queue_category=category,
                  queue_order=order(sla, rank, created))
    values.update(changes)
    return NewTicket(**values)


def numbers(tickets) -> list[int]:
    return [t.number for t in tickets]


def page(store, **view) -> list[int]:
    return numbers(store.desk_view(DeskView("planner", **view)))


# -- views -------------------------------------------------------------------------------

def test_a_category_view_holds_its_category_of_its_product_only(store):
    a = store.create_ticket(new(minutes=1))[0]
    store.create_ticket(new(category="pending", minutes=2))
    store.create_ticket(new(product="payroll", minutes=3))
    b = store.create_ticket(new(minutes=4))[0]
    assert page(store, category="new", order=NEWEST) == [b.number, a.number]
    assert page(store, category="new", order=OLDEST) == [a.number, b.number]
    assert store.count_desk_view(DeskView("planner", category="new"), 100) == 2
    assert store.count_desk_view(DeskView("payroll", category="new"), 100) == 1


def test_work_order_is_sla_moment_then_priority_then_age(store):
    late = store.create_ticket(new(sla=None, rank=0, minutes=1))[0]
    soon = store.create_ticket(new(sla=2, rank=1, minutes=2))[0]
    breached = store.create_ticket(new(sla=-1, rank=1, minutes=3))[0]
    urgent_old = store.create_ticket(new(sla=None, rank=0, minutes=0))[0]
    assert page(store, category="new", order=WORK) == [
        breached.number, soon.number, urgent_old.number, late.number]
    assert page(store, order=WORK) == [breached.number, soon.number, urgent_old.number,
                                       late.number]


def test_pages_continue_after_their_cursor_in_every_order(store):
    made = [store.create_ticket(new(sla=i % 3, minutes=i))[0] for i in range(7)]
    for ordering in (WORK, NEWEST, OLDEST):
        seen, after = [], None
        while True:
            found = store.desk_view(DeskView("planner", category="new", order=ordering,
                                             after=after, limit=3))
            seen += numbers(found[:3])
            if len(found) <= 3:
                break
            last = found[2]
            after = (work_key(last.queue_order, last.number) if ordering == WORK
                     else str(last.number))
        assert sorted(seen) == sorted(numbers(made)) and len(seen) == 7, ordering
    assert page(store, category="new", order=NEWEST, limit=3)[:3] == \
        sorted(numbers(made), reverse=True)[:3]


def test_owner_views_hold_unresolved_tickets_of_that_assignee(store):
    mine = store.create_ticket(new(minutes=1))[0]
    save_audited(store, replace(mine, assignee="bo@vendor.example", queue_category="open"),
                 expected_version=1)
    nobody = store.create_ticket(new(minutes=2))[0]
    solved = store.create_ticket(new(minutes=3))[0]
    save_audited(store, replace(solved, assignee="bo@vendor.example",
                                queue_category="solved"), expected_version=1)
    assert page(store, owner="bo@vendor.example") == [mine.number]
    assert page(store, owner="bo@vendor.example", order=NEWEST) == [mine.number]
    assert page(store, owner="") == [nobody.number]
    assert store.count_desk_view(DeskView("planner", owner=""), 100) == 1
    assert store.count_desk_view(DeskView("planner", owner="bo@vendor.example"), 100) == 1


def test_a_save_moves_the_ticket_between_views(store):
    ticket = store.create_ticket(new())[0]
    save_audited(store, replace(ticket, status="waiting", queue_category="pending"),
                 expected_version=1)
    assert page(store, category="new") == []
    assert page(store, category="pending") == [ticket.number]


def test_the_sla_view_reads_the_moments_up_to_its_bound(store):
    breached = store.create_ticket(new(sla=-3, minutes=1))[0]
    risky = store.create_ticket(new(sla=1, minutes=2))[0]
    store.create_ticket(new(sla=5, minutes=3))
    store.create_ticket(new(sla=None, minutes=4))
    bound = at_risk_bound(T0 + timedelta(hours=2))
    assert page(store, due_by=bound) == [breached.number, risky.number]
    assert store.count_desk_view(DeskView("planner", due_by=bound), 100) == 2
    first = store.desk_view(DeskView("planner", due_by=bound, limit=1))
    assert numbers(first) == [breached.number, risky.number]
    after = work_key(first[0].queue_order, first[0].number)
    assert page(store, due_by=bound, after=after, limit=1) == [risky.number]


def test_counts_stop_at_at_most(store):
    for i in range(5):
        store.create_ticket(new(minutes=i))
    assert store.count_desk_view(DeskView("planner", category="new"), 3) == 3
    assert store.count_desk_view(DeskView("planner"), 10) == 5
    assert store.count_desk_view(DeskView("planner", category="closed"), 10) == 0


def test_a_ticket_without_queue_keys_is_in_all_by_number_only(store):
    old = store.create_ticket(new(queue_category=None, queue_order=None))[0]
    assert page(store, order=NEWEST) == [old.number]
    assert page(store, order=WORK) == []
    assert page(store, category="new") == []


# -- search ------------------------------------------------------------------------------

def search(store, **criteria) -> list[int]:
    criteria.setdefault("products", frozenset({"planner"}))
    return numbers(store.search_tickets(TicketSearch(**criteria)))


def test_words_of_the_subject_and_of_every_message_are_found(store):
    a = store.create_ticket(new("Crash when printing the Café report", minutes=1))[0]
    b = store.create_ticket(new("Slow login", minutes=2))[0]
    save_audited(store, replace(b, updated_at=T0 + timedelta(hours=1)), expected_version=1,
                 messages=[Message("bo@vendor.example", AuthorRole.AGENT,
                                   "Please send the Printer log.", T0, public=False)])
    assert search(store, words=("cafe",)) == [a.number]
    assert search(store, words=("printer",)) == [b.number]
    assert search(store, words=("export", "button")) == [b.number, a.number]
    assert search(store, words=("slow", "printer")) == [b.number]
    assert search(store, words=("slow", "crash")) == []
    assert search(store, words=("planner",)) == []


def test_search_keeps_to_the_products_given(store):
    store.create_ticket(new("Crash", product="payroll"))
    mine = store.create_ticket(new("Crash", minutes=1))[0]
    assert search(store, words=("crash",)) == [mine.number]
    assert search(store, words=("crash",), products=frozenset()) == []
    assert search(store, products=frozenset({"other"})) == []


def test_search_filters_combine(store):
    a = store.create_ticket(new(email="Ann@Example.com", organization="acme", minutes=1,
                                priority="urgent"))[0]
    b = store.create_ticket(new(email="bea@example.com", minutes=60 * 24 * 3,
                                category="pending", priority="normal"))[0]
    c = store.create_ticket(new(email="ann@example.com", minutes=60 * 24 * 5))[0]
    assert search(store, requester="ann@example.com") == [c.number, a.number]
    assert search(store, organization="acme") == [a.number]
    assert search(store, status="waiting", category="pending") == [b.number]
    assert search(store, priority="urgent") == [a.number]
    assert search(store, created_from=T0 + timedelta(days=2),
                  created_before=T0 + timedelta(days=4)) == [b.number]
    assert search(store, created_from=T0 + timedelta(days=2)) == [c.number, b.number]
    assert search(store, requester="ann@example.com", words=("export",),
                  created_before=T0 + timedelta(days=1)) == [a.number]


def test_search_pages_by_number(store):
    made = [store.create_ticket(new(minutes=i))[0].number for i in range(5)]
    first = search(store, words=("export",), limit=2)
    assert first == made[::-1][:3]
    assert search(store, words=("export",), limit=2, before=first[1]) == made[::-1][2:5]
    assert search(store, limit=2, before=made[1]) == [made[0]]


def test_words_fold_case_and_accents():
    assert words("Café CAFE naïve, e-mail") == ["cafe", "naive", "e", "mail"]


@pytest.mark.parametrize("bad", ["", "x|1", "~|01|2026|12"])
def test_a_bad_work_cursor_is_refused(store, bad):
    with pytest.raises(ValueError):
        store.desk_view(DeskView("planner", order=WORK, after=bad))


# -- keys worked out again (loket desk-reindex) ---------------------------------------------

def test_refreshed_keys_put_an_old_ticket_in_its_views_without_a_new_version(store):
    old = store.create_ticket(new("Zebra crossing", queue_category=None, queue_order=None))[0]
    fresh = replace(old, queue_category="new", queue_order=order(1, 1, T0))
    assert store.refresh_desk_keys(fresh, ["Zebra crossing", "Printer jams"])
    assert page(store, category="new") == [old.number]
    assert page(store, owner="") == [old.number]
    assert store.get_ticket(old.number).version == 1
    assert search(store, words=("jams",)) == [old.number]
    # The texts are the ticket's whole text (an erasure rewrites it): words gone from
    # them are no longer found.
    assert store.refresh_desk_keys(fresh, ["Zebra crossing"])
    assert search(store, words=("jams",)) == []
    assert search(store, words=("zebra",)) == [old.number]
    solved = replace(fresh, queue_category="solved", queue_order=order(None, 1, T0))
    assert store.refresh_desk_keys(solved)
    assert page(store, owner="") == [] and page(store, category="solved") == [old.number]


def test_keys_worked_out_from_an_old_version_are_not_stored(store):
    ticket = store.create_ticket(new())[0]
    save_audited(store, replace(ticket, subject="Changed"), expected_version=1)
    assert not store.refresh_desk_keys(replace(ticket, queue_category="pending"))
    assert page(store, category="pending") == []
