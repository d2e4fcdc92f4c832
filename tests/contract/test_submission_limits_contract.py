"""Limits counted in the ticket's own write (create_ticket(hits=...), domain/limits.py),
on every store: a ticket and its hits are stored together or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loket.domain.limits import HitLimit, OverLimit
from loket.domain.outgoing import OutgoingMail
from tests.contract.test_store_contract import T0, new_ticket

HOUR = T0.replace(minute=0)
DAY = T0.replace(hour=0, minute=0)


def hits(per_hour: int, per_day: int = 1000, address: str = "192.0.2.1") -> list[HitLimit]:
    return [HitLimit(f"submit:{address}:hour", HOUR, HOUR + timedelta(hours=1), per_hour,
                     "hour", 1800),
            HitLimit(f"submit:{address}:day", DAY, DAY + timedelta(days=1), per_day, "day", 50000)]


def counted(store, hit: HitLimit) -> int:
    return store.count_hit(hit.key, hit.window_start, hit.expires_at, amount=0)


def receipt(ticket) -> list[OutgoingMail]:
    return [OutgoingMail(kind="receipt", lang="en", to=ticket.email, data={"n": ticket.number},
                         created_at=T0, message_id=f"<ticket-{ticket.number}@example.com>",
                         ticket=ticket.number)]


def stored_subjects(store, first: int, count: int = 6) -> list[str]:
    return [t.subject for n in range(first, first + count) if (t := store.get_ticket(n))]


def test_each_ticket_counts_one_hit_on_every_counter(store):
    limits = hits(per_hour=5)
    for i in range(3):
        store.create_ticket(new_ticket(f"s{i}"), hits=limits)
    assert [counted(store, hit) for hit in limits] == [3, 3]


def test_the_write_that_would_pass_a_limit_stores_queues_and_counts_nothing(store):
    limits = hits(per_hour=2)
    first, _ = store.create_ticket(new_ticket("one"), hits=limits, mails=receipt)
    store.create_ticket(new_ticket("two"), hits=limits, mails=receipt)
    with pytest.raises(OverLimit) as refused:
        store.create_ticket(new_ticket("three"), hits=limits, mails=receipt)
    assert refused.value.limit == limits[0]
    assert stored_subjects(store, first.number) == ["one", "two"]
    assert [counted(store, hit) for hit in limits] == [2, 2]
    assert sorted(m.data["n"] for m in store.list_mail(pending=True)) == [
        first.number, first.number + 1]


def test_the_day_refuses_when_the_hour_has_room(store):
    limits = hits(per_hour=10, per_day=1)
    store.create_ticket(new_ticket("one"), hits=limits)
    with pytest.raises(OverLimit) as refused:
        store.create_ticket(new_ticket("two"), hits=limits)
    assert refused.value.limit.window == "day"
    assert [counted(store, hit) for hit in limits] == [1, 1]


def test_a_replayed_request_gets_its_ticket_over_the_limit_and_counts_nothing(store):
    limits = hits(per_hour=1)
    ticket, created = store.create_ticket(new_ticket("one"), idempotency_key="k-1",
                                          fingerprint="f", hits=limits)
    again, created_again = store.create_ticket(new_ticket("one"), idempotency_key="k-1",
                                               fingerprint="f", hits=limits)
    assert (created, created_again) == (True, False)
    assert again.number == ticket.number
    assert [counted(store, hit) for hit in limits] == [1, 1]
    with pytest.raises(OverLimit):  # A new request over the limit is refused.
        store.create_ticket(new_ticket("two"), idempotency_key="k-2", fingerprint="g",
                            hits=limits)


def test_counters_are_per_key(store):
    store.create_ticket(new_ticket("one"), hits=hits(per_hour=1, address="192.0.2.1"))
    other, created = store.create_ticket(new_ticket("two"),
                                         hits=hits(per_hour=1, address="192.0.2.2"))
    assert created and other.subject == "two"
