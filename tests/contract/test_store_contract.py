"""The store contract: the one definition of what every store adapter must do."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from loket.domain.errors import IdempotencyConflict, VersionConflict
from loket.domain.tickets import AuthorRole, Message, NewTicket

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


def reply(body: str, at: datetime, role=AuthorRole.AGENT) -> Message:
    return Message(author="support@nordwind.example", role=role, body=body, created_at=at)


def test_save_ticket_bumps_the_version_and_appends_messages(store):
    ticket, _ = store.create_ticket(new_ticket())
    later = T0 + timedelta(hours=1)
    changed = replace(ticket, status="waiting-on-customer", updated_at=later)
    saved = store.save_ticket(changed, expected_version=1,
                              messages=[reply("Which version?", later)])
    assert saved.version == 2
    assert store.get_ticket(ticket.number) == saved
    assert [m.body for m in store.list_messages(ticket.number)] == [
        "The export button shows an error.", "Which version?"]


def test_save_ticket_with_a_stale_version_changes_nothing(store):
    ticket, _ = store.create_ticket(new_ticket())
    store.save_ticket(replace(ticket, status="solved"), expected_version=1)
    with pytest.raises(VersionConflict):
        store.save_ticket(replace(ticket, status="closed"), expected_version=1,
                          messages=[reply("lost?", T0)])
    assert store.get_ticket(ticket.number).status == "solved"
    assert len(store.list_messages(ticket.number)) == 1


def test_save_of_a_missing_ticket_conflicts(store):
    ticket, _ = store.create_ticket(new_ticket())
    with pytest.raises(VersionConflict):
        store.save_ticket(replace(ticket, number=ticket.number + 50), expected_version=1)


def test_racing_saves_of_one_version_let_exactly_one_win(store):
    ticket, _ = store.create_ticket(new_ticket())
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(i: int) -> None:
        try:
            store.save_ticket(replace(ticket, subject=f"s{i}"), expected_version=1,
                              messages=[reply(f"m{i}", T0)])
            result = "saved"
        except VersionConflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("saved") == 1
    assert len(store.list_messages(ticket.number)) == 2


def test_messages_keep_their_order_across_saves(store):
    ticket, _ = store.create_ticket(new_ticket())
    for i in range(1, 4):
        ticket = store.save_ticket(ticket, expected_version=ticket.version,
                                   messages=[reply(f"r{i}a", T0 + timedelta(minutes=i)),
                                             reply(f"r{i}b", T0 + timedelta(minutes=i))])
    assert [m.body for m in store.list_messages(ticket.number)][1:] == [
        "r1a", "r1b", "r2a", "r2b", "r3a", "r3b"]


def test_due_tickets_come_from_the_index_earliest_first(store):
    made = [store.create_ticket(new_ticket(f"t{i}"))[0] for i in range(6)]
    offsets = [30, None, 10, 90, 20, None]  # minutes after T0; None: no timer
    for ticket, minutes in zip(made, offsets):
        if minutes is not None:
            store.save_ticket(replace(ticket, due_at=T0 + timedelta(minutes=minutes)),
                              expected_version=1)
    due = store.due_tickets(T0 + timedelta(minutes=30))
    assert [t.subject for t in due] == ["t2", "t4", "t0"]
    assert due[0].due_at == T0 + timedelta(minutes=10)
    assert [t.subject for t in store.due_tickets(T0 + timedelta(minutes=30), limit=2)] == [
        "t2", "t4"]
    assert store.due_tickets(T0) == []


def test_clearing_due_at_takes_a_ticket_off_the_due_list(store):
    ticket, _ = store.create_ticket(new_ticket())
    ticket = store.save_ticket(replace(ticket, due_at=T0), expected_version=1)
    assert [t.number for t in store.due_tickets(T0)] == [ticket.number]
    store.save_ticket(replace(ticket, due_at=None), expected_version=ticket.version)
    assert store.due_tickets(T0 + timedelta(days=365)) == []
