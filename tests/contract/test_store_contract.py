"""The store contract: the one definition of what every store adapter must do."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from loket.domain.errors import IdempotencyConflict
from loket.domain.tickets import AuthorRole, NewTicket

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


def new_ticket(subject="Export to Excel fails", **changes) -> NewTicket:
    values = dict(email="ann@example.com", product="planner", type="problem-report",
                  subject=subject, description="The export button shows an error.",
                  fields={"environment": "production", "users_affected": 3},
                  language="en", status="open", created_at=T0)
    values.update(changes)
    return NewTicket(**values)


def test_first_ticket_gets_the_first_number_and_reads_back(store):
    ticket, created = store.create_ticket(new_ticket())
    assert created
    assert ticket.number == 10001
    assert store.get_ticket(10001) == ticket
    assert ticket.fields == {"environment": "production", "users_affected": 3}
    assert ticket.created_at == T0 and ticket.version == 1


def test_numbers_are_sequential(store):
    numbers = [store.create_ticket(new_ticket(f"s{i}"))[0].number for i in range(5)]
    assert numbers == list(range(numbers[0], numbers[0] + 5))


def test_unknown_ticket_is_none(store):
    assert store.get_ticket(99999) is None


def test_first_message_is_the_description(store):
    ticket, _ = store.create_ticket(new_ticket(description="Line one\nline two <b>"))
    [message] = store.list_messages(ticket.number)
    assert message.body == "Line one\nline two <b>"
    assert message.role is AuthorRole.CUSTOMER and message.author == "ann@example.com"
    assert message.created_at == T0 and message.public


def test_messages_of_other_tickets_do_not_mix(store):
    a, _ = store.create_ticket(new_ticket(description="a"))
    b, _ = store.create_ticket(new_ticket(description="b"))
    assert [m.body for m in store.list_messages(a.number)] == ["a"]
    assert [m.body for m in store.list_messages(b.number)] == ["b"]
    assert store.list_messages(424242) == []


def test_same_idempotency_key_returns_the_same_ticket(store):
    first, created = store.create_ticket(new_ticket(), idempotency_key="k1", fingerprint="f")
    again, created_again = store.create_ticket(new_ticket(), idempotency_key="k1",
                                               fingerprint="f")
    assert created and not created_again
    assert again == first
    assert store.get_ticket(first.number + 1) is None


def test_idempotency_key_with_other_request_conflicts_and_stores_nothing(store):
    first, _ = store.create_ticket(new_ticket(), idempotency_key="k1", fingerprint="f")
    with pytest.raises(IdempotencyConflict):
        store.create_ticket(new_ticket("other"), idempotency_key="k1", fingerprint="g")
    assert store.get_ticket(first.number + 1) is None


def test_concurrent_creates_get_distinct_consecutive_numbers(store):
    numbers: list[int] = []
    lock = threading.Lock()

    def submit(i: int) -> None:
        ticket, _ = store.create_ticket(new_ticket(f"t{i}"))
        with lock:
            numbers.append(ticket.number)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == list(range(10001, 10021))


def test_concurrent_retries_with_one_key_make_one_ticket(store):
    results = []
    lock = threading.Lock()

    def submit() -> None:
        result = store.create_ticket(new_ticket(), idempotency_key="same", fingerprint="f")
        with lock:
            results.append(result)

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({ticket.number for ticket, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_hit_counter_counts_per_key_and_window(store):
    window = T0.replace(minute=0)
    expires = window + timedelta(hours=2)
    assert [store.count_hit("ip:1", window, expires) for _ in range(3)] == [1, 2, 3]
    assert store.count_hit("ip:2", window, expires) == 1
    next_window = window + timedelta(hours=1)
    assert store.count_hit("ip:1", next_window, next_window + timedelta(hours=2)) == 1
