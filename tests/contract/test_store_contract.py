"""The store contract: the one definition of what every store adapter must do."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from loket.domain.errors import IdempotencyConflict, VersionConflict
from loket.domain.tickets import AuthorRole, Message, NewTicket
from tests.stores import save_audited

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


def test_hit_counter_adds_amounts_takes_hits_back_and_reads_with_zero(store):
    window = T0.replace(minute=0)
    expires = window + timedelta(hours=2)
    assert store.count_hit("bytes:1", window, expires, amount=0) == 0
    assert store.count_hit("bytes:1", window, expires, amount=5_000_000) == 5_000_000
    assert store.count_hit("bytes:1", window, expires, amount=250) == 5_000_250
    assert store.count_hit("bytes:1", window, expires, amount=-250) == 5_000_000
    assert store.count_hit("bytes:1", window, expires, amount=0) == 5_000_000
    assert store.count_hit("bytes:1", window, expires) == 5_000_001


def reply(body: str, at: datetime, role=AuthorRole.AGENT) -> Message:
    return Message(author="support@nordwind.example", role=role, body=body, created_at=at)


def test_save_ticket_bumps_the_version_and_appends_messages(store):
    ticket, _ = store.create_ticket(new_ticket())
    later = T0 + timedelta(hours=1)
    changed = replace(ticket, status="waiting-on-customer", updated_at=later)
    saved = save_audited(store, changed, expected_version=1,
                              messages=[reply("Which version?", later)])
    assert saved.version == 2
    assert store.get_ticket(ticket.number) == saved
    assert [m.body for m in store.list_messages(ticket.number)] == [
        "The export button shows an error.", "Which version?"]


def test_save_ticket_with_a_stale_version_changes_nothing(store):
    ticket, _ = store.create_ticket(new_ticket())
    save_audited(store, replace(ticket, status="solved"), expected_version=1)
    with pytest.raises(VersionConflict):
        save_audited(store, replace(ticket, status="closed"), expected_version=1,
                          messages=[reply("lost?", T0)])
    assert store.get_ticket(ticket.number).status == "solved"
    assert len(store.list_messages(ticket.number)) == 1


def test_save_of_a_missing_ticket_conflicts(store):
    ticket, _ = store.create_ticket(new_ticket())
    with pytest.raises(VersionConflict):
        save_audited(store, replace(ticket, number=ticket.number + 50), expected_version=1)


def test_racing_saves_of_one_version_let_exactly_one_win(store):
    ticket, _ = store.create_ticket(new_ticket())
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(i: int) -> None:
        try:
            save_audited(store, replace(ticket, subject=f"s{i}"), expected_version=1,
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
        ticket = save_audited(store, ticket, expected_version=ticket.version,
                                   messages=[reply(f"r{i}a", T0 + timedelta(minutes=i)),
                                             reply(f"r{i}b", T0 + timedelta(minutes=i))])
    assert [m.body for m in store.list_messages(ticket.number)][1:] == [
        "r1a", "r1b", "r2a", "r2b", "r3a", "r3b"]


def test_due_tickets_come_from_the_index_earliest_first(store):
    made = [store.create_ticket(new_ticket(f"t{i}"))[0] for i in range(6)]
    offsets = [30, None, 10, 90, 20, None]  # minutes after T0; None: no timer
    for ticket, minutes in zip(made, offsets):
        if minutes is not None:
            save_audited(store, replace(ticket, due_at=T0 + timedelta(minutes=minutes)),
                              expected_version=1)
    due = store.due_tickets(T0 + timedelta(minutes=30))
    assert [t.subject for t in due] == ["t2", "t4", "t0"]
    assert due[0].due_at == T0 + timedelta(minutes=10)
    assert [t.subject for t in store.due_tickets(T0 + timedelta(minutes=30), limit=2)] == [
        "t2", "t4"]
    assert store.due_tickets(T0) == []


def test_clearing_due_at_takes_a_ticket_off_the_due_list(store):
    ticket, _ = store.create_ticket(new_ticket())
    ticket = save_audited(store, replace(ticket, due_at=T0), expected_version=1)
    assert [t.number for t in store.due_tickets(T0)] == [ticket.number]
    save_audited(store, replace(ticket, due_at=None), expected_version=ticket.version)
    assert store.due_tickets(T0 + timedelta(days=365)) == []


# -- the workflow's state and the due index (domain/workflow.py, services/sweeper.py) ------

def test_workflow_state_round_trips(store):
    ticket, _ = store.create_ticket(new_ticket())
    later = T0 + timedelta(hours=3, microseconds=17)
    changed = replace(ticket, status="waiting-on-customer", status_since=later,
                      timers_fired=("remind-after-7-days",), assignee="planning-team",
                      impact="high", urgency="low", priority="p3",
                      first_response_at=T0 + timedelta(minutes=20),
                      sla_used=timedelta(hours=2, microseconds=123457), sla_since=None,
                      sla_breaches=("first-response",), due_at=later + timedelta(days=7))
    saved = save_audited(store, changed, expected_version=1)
    assert store.get_ticket(ticket.number) == saved
    assert store.due_tickets(later + timedelta(days=8)) == [saved]
    running = save_audited(store, replace(saved, sla_since=later, sla_breaches=(),
                                        timers_fired=(), assignee=None),
                                expected_version=saved.version)
    assert store.get_ticket(ticket.number) == running


def test_a_new_ticket_carries_its_starting_state(store):
    due = T0 + timedelta(hours=8)
    ticket, _ = store.create_ticket(new_ticket(impact="medium", urgency="medium",
                                               priority="p3", sla_since=T0, due_at=due))
    assert (ticket.priority, ticket.sla_since, ticket.due_at) == ("p3", T0, due)
    assert ticket.status_since == T0
    assert store.get_ticket(ticket.number) == ticket
    assert store.due_tickets(due) == [ticket]


def test_due_tickets_are_merged_in_order_whatever_the_limit(store):
    made = [store.create_ticket(new_ticket(f"t{i}"))[0] for i in range(30)]
    # Due moments out of creation order, a few equal, a third still ahead.
    for i, ticket in enumerate(made):
        minutes = (i * 7) % 30 if i % 3 else 500 + i
        save_audited(store, replace(ticket, due_at=T0 + timedelta(minutes=minutes)),
                          expected_version=1)
    now = T0 + timedelta(minutes=60)
    due = [t for t in (store.get_ticket(m.number) for m in made) if t.due_at <= now]
    expected = [t.subject for t in sorted(due, key=lambda t: (t.due_at, t.number))]
    for limit in (1, 3, 7, 19, 20, 100):
        found = store.due_tickets(now, limit=limit)
        assert [t.due_at for t in found] == sorted(t.due_at for t in found)
        assert {t.subject for t in found} <= set(expected)
        assert len(found) == min(limit, len(expected))
        # Earliest first: everything left out is due no earlier than what came back.
        assert all(t.due_at >= found[-1].due_at for t in due if t not in found)


# -- attachments and the uploads waiting for them ------------------------------------------

def an_upload(upload_id="u" * 22, minutes=0, **changes):
    from loket.domain.attachments import Upload

    values = dict(id=upload_id, name="screen shot.png", content_type="image/png",
                  size=12345, created_at=T0 + timedelta(minutes=minutes),
                  expires_at=T0 + timedelta(days=1, minutes=minutes))
    values.update(changes)
    return Upload(**values)


def test_messages_keep_their_attachments(store):
    from loket.domain.attachments import Attachment

    shot = Attachment(id="a" * 22, name="Scherm afbeelding é.png", content_type="image/png",
                      size=2048, key="attachments/" + "a" * 22,
                      thumbnail_key="thumbnails/" + "a" * 22 + ".png")
    log = Attachment(id="b" * 22, name="import.csv", content_type="text/csv", size=99,
                     key="attachments/" + "b" * 22)
    ticket, _ = store.create_ticket(new_ticket(attachments=(shot,)))
    reply = Message(author="ann@example.com", role=AuthorRole.CUSTOMER, body="the log",
                    created_at=T0 + timedelta(minutes=5), attachments=(log, shot))
    save_audited(store, ticket, expected_version=1, messages=[reply])
    first, second = store.list_messages(ticket.number)
    assert first.attachments == (shot,)
    assert second == reply
    assert store.get_ticket(ticket.number).version == 2


def test_an_upload_reads_back_and_unknown_ones_are_none(store):
    upload = an_upload()
    store.create_upload(upload)
    assert store.get_upload(upload.id) == upload
    assert not upload.attached
    assert store.get_upload("x" * 22) is None


def test_expired_uploads_come_earliest_first_and_only_pending_ones(store):
    uploads = [an_upload(f"{i:02d}" + "u" * 20, minutes=m) for i, m in
               enumerate([30, 0, 10, 50, 20, 24 * 60])]
    for upload in uploads:
        store.create_upload(upload)
    store.mark_uploads_attached([uploads[2].id], ticket=10001, claim_key="k1")
    now = T0 + timedelta(days=1, minutes=40)
    found = store.expired_uploads(now)
    assert [u.id for u in found] == [uploads[i].id for i in (1, 4, 0)]
    assert [u.id for u in store.expired_uploads(now, limit=2)] == [uploads[1].id,
                                                                    uploads[4].id]
    attached = store.get_upload(uploads[2].id)
    assert attached.attached and (attached.ticket, attached.claim_key) == (10001, "k1")
    assert attached == replace(uploads[2], ticket=10001, claim_key="k1")


def test_deleted_uploads_are_gone_and_deleting_twice_is_fine(store):
    upload = an_upload()
    store.create_upload(upload)
    store.delete_upload(upload.id)
    store.delete_upload(upload.id)
    assert store.get_upload(upload.id) is None
    assert store.expired_uploads(T0 + timedelta(days=2)) == []


def test_marking_an_unknown_upload_attached_changes_nothing(store):
    store.mark_uploads_attached(["y" * 22], ticket=10001)
    assert store.get_upload("y" * 22) is None
