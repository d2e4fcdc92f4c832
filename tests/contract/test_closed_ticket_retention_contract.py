"""Retention of closed tickets (portal.yml `retention: closed_ticket_months`) on SQLite
and DynamoDB, with files in the folder store or S3: the sweeper, on a fixed clock, keeps
a ticket closed less than N months ago, strips one closed longer ago (no item of it holds
the customer's address or name, its files are gone), keeps what the vendor counts, and
never touches a reopened ticket."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from loket.clock import FixedClock
from loket.config.model import RetentionConfig
from loket.domain.events import EventKind
from loket.domain.retention import REMOVED_TEXT, add_months
from loket.services import status as use_cases
from loket.services.context import Services
from loket.services.retention import schedule_closed_tickets
from loket.services.sweeper import sweep
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_store_contract import T0
from tests.sample_data import PERSON, PERSON_NAME, fill
from tests.workflow.conftest import MailBag, preset_config

MONTHS = 6
CLOSED_AT = T0 + timedelta(days=1)


def desk(store, blobs, months: int | None = MONTHS) -> Services:
    """The real services, a workflow whose closed tickets can be reopened, the clock
    at the day the tickets are closed."""
    config = preset_config("confirmation-pending")
    config = replace(config, workflow=replace(config.workflow, closed_ticket_months=months),
                     retention=RetentionConfig(closed_ticket_months=months))
    return Services(config=config, store=store, mail=MailBag(), clock=FixedClock(CLOSED_AT),
                    base_url="https://support.nordwind.example",
                    mail_from="Nordwind Support <support@nordwind.example>", blobs=blobs)


def ticket_items(store, number: int) -> list[str]:
    """Everything stored of one ticket, as text: its partition on DynamoDB, its rows
    (ticket, messages, rating, events, searchable words) on SQLite."""
    if store.__class__.__name__ == "DynamoDBStore":
        pages = store.client.get_paginator("query").paginate(
            TableName=store.table_name, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"TICKET#{number}"}})
        return [json.dumps(item, ensure_ascii=False) for page in pages for item in page["Items"]]
    conn = store._connection()
    queries = ["SELECT * FROM tickets WHERE number = ?", "SELECT * FROM messages WHERE ticket = ?",
               "SELECT * FROM ratings WHERE ticket = ?",
               "SELECT * FROM ticket_events WHERE ticket = ?",
               "SELECT * FROM ticket_words WHERE rowid = ?"]
    return [json.dumps([*row], ensure_ascii=False, default=str)
            for sql in queries for row in conn.execute(sql, (number,))]


def traces(store, number: int) -> list[str]:
    needles = (PERSON, *PERSON_NAME)
    return [text for text in ticket_items(store, number)
            if any(n.casefold() in text.casefold() for n in needles)]


def closed_ticket(store, blobs, services) -> int:
    """The sample person's ticket (a file, a keyed message, a rating), closed now."""
    number = fill(store, blobs)["mine"].number
    use_cases.set_status(services, number, "closed", by="bob@example.com")
    return number


def test_a_ticket_closed_n_months_ago_loses_the_persons_data_and_stays_countable(
        store, blobs):
    services = desk(store, blobs)
    number = closed_ticket(store, blobs, services)
    before = store.get_ticket(number)
    assert before.due_at == add_months(CLOSED_AT, MONTHS)

    report = sweep(services, now=CLOSED_AT + timedelta(days=5 * 30))  # 5 months on: kept
    assert report.removed == 0 and traces(store, number)
    assert blobs.size(f"attachments/{'f' * 22}") == 4

    report = sweep(services, now=add_months(CLOSED_AT, MONTHS) + timedelta(minutes=1))
    assert report.removed == 1
    assert traces(store, number) == []
    assert blobs.size(f"attachments/{'f' * 22}") is None
    assert blobs.size(f"thumbnails/{'f' * 22}.png") is None
    after = store.get_ticket(number)
    # What the vendor counts stays.
    kept = ("number", "product", "type", "status", "created_at", "priority", "impact",
            "urgency", "sla_used", "sla_breaches", "first_response_at", "organization",
            "assignee")
    assert {k: getattr(after, k) for k in kept} == {k: getattr(before, k) for k in kept}
    # A choice and a number stay; typed text would go.
    assert after.fields == {"environment": "production", "users_affected": 3}
    assert after.subject == REMOVED_TEXT and after.due_at is None
    assert after.access_key != before.access_key
    assert store.get_rating(number).good is True and store.get_rating(number).comment == ""
    messages = store.list_messages(number)
    assert {m.body for m in messages} == {REMOVED_TEXT} and len(messages) == 3
    assert all(not m.attachments for m in messages)
    events = store.list_events(number)
    assert events[-1].kind is EventKind.PERSONAL_DATA_REMOVED
    assert {e.kind for e in events} >= {EventKind.CREATED, EventKind.STATUS}
    # Done: nothing of it is due any more, and a further sweep does nothing.
    later = add_months(CLOSED_AT, MONTHS + 1)
    assert store.due_tickets(later) == [] and sweep(services, now=later).removed == 0


def test_a_reopened_ticket_is_kept_and_a_new_close_starts_the_months_again(store, blobs):
    services = desk(store, blobs)
    number = closed_ticket(store, blobs, services)
    services.clock.set(CLOSED_AT + timedelta(days=3))
    use_cases.reopen_ticket(services, number)
    assert store.get_ticket(number).due_at is None  # open: no retention moment

    report = sweep(services, now=add_months(CLOSED_AT, MONTHS + 1))
    assert report.removed == 0 and traces(store, number)

    closed_again = add_months(CLOSED_AT, MONTHS + 1)
    services.clock.set(closed_again)
    use_cases.set_status(services, number, "closed", by="bob@example.com")
    assert store.get_ticket(number).due_at == add_months(closed_again, MONTHS)
    assert sweep(services, now=add_months(closed_again, MONTHS) - timedelta(days=1)).removed == 0
    assert sweep(services, now=add_months(closed_again, MONTHS)).removed == 1
    assert traces(store, number) == []


def test_a_round_removes_at_most_its_limit_and_the_rest_next_round(store, blobs):
    services = desk(store, blobs)
    numbers = [closed_ticket(store, blobs, services)]
    numbers += [store.create_ticket(replace(_new(i), status="open"))[0].number
                for i in range(3)]
    for number in numbers[1:]:
        use_cases.set_status(services, number, "closed", by="bob@example.com")
    due = add_months(CLOSED_AT, MONTHS)
    first = sweep(services, now=due, removal_limit=2)
    assert first.removed == 2 and first.more
    second = sweep(services, now=due, removal_limit=2)
    assert second.removed == 2 and not second.more
    assert all(store.get_ticket(n).subject == REMOVED_TEXT for n in numbers)
    assert store.get_ticket(numbers[1]).fields == {"environment": "test"}  # typed text went


def test_a_backlog_of_removals_never_delays_a_timer_that_is_due(store, blobs):
    """More closed tickets due for removal than a round removes, all due before an open
    ticket's timer (the first retention-schedule on a store of old closed tickets): the
    first round runs the timer, its reminder queued, and removes at most its limit; the
    next rounds drain the rest. Small batches stand for a backlog of thousands."""
    services = desk(store, blobs)
    closed = [store.create_ticket(replace(_new(i), status="open"))[0].number
              for i in range(5)]
    for number in closed:
        use_cases.set_status(services, number, "closed", by="bob@example.com")
    removal = add_months(CLOSED_AT, MONTHS)
    services.clock.set(removal + timedelta(days=1))
    waiting = store.create_ticket(replace(_new(9), status="open"))[0].number
    use_cases.set_status(services, waiting, "awaiting-customer-response", by="bob@example.com")
    timer = store.get_ticket(waiting).due_at
    assert timer > removal  # the whole backlog sorts before the timer
    now = timer + timedelta(hours=1)

    first = sweep(services, now=now, batch=2, removal_limit=2)

    assert store.get_ticket(waiting).status == "confirmation-pending"
    assert f"#{waiting}: awaiting-customer-response -> confirmation-pending (timer with " \
           "a reminder)" in first.actions
    assert first.emails == 1
    assert first.removed == 2 and first.more
    rounds = [sweep(services, now=now, batch=2, removal_limit=2) for _ in range(2)]
    assert [r.removed for r in rounds] == [2, 1] and not rounds[-1].more
    assert all(store.get_ticket(n).subject == REMOVED_TEXT for n in closed)
    assert store.due_removals(now) == []


def test_desk_reindex_moves_a_removal_to_the_due_part_of_its_category(store, blobs):
    """A closed ticket stored without queue keys (from before the desk's views) is read
    with the timers; `loket desk-reindex` gives it its category, and with it the
    removals' part of the due index (on DynamoDB its due_shard RETAIN#<n>)."""
    from loket.services.desk_reindex import reindex_desk

    services = desk(store, blobs)
    number = closed_ticket(store, blobs, services)
    ticket = store.get_ticket(number)
    assert store.refresh_desk_keys(replace(ticket, queue_category=None, queue_order=None))
    removal = ticket.due_at
    assert [t.number for t in store.due_tickets(removal)] == [number]

    assert reindex_desk(services, ["planner"]).updated >= 1

    assert [t.number for t in store.due_removals(removal)] == [number]
    assert store.due_tickets(removal) == []


def test_a_crash_after_the_files_went_is_finished_next_round(store, blobs, monkeypatch):
    services = desk(store, blobs)
    number = closed_ticket(store, blobs, services)
    from loket.services import retention

    def crash(*_, **__):
        raise RuntimeError("the power went")

    monkeypatch.setattr(retention, "_rewrite", crash)
    due = add_months(CLOSED_AT, MONTHS)
    assert sweep(services, now=due).removed == 0  # logged; the timers went on
    assert blobs.size(f"attachments/{'f' * 22}") is None and traces(store, number)
    monkeypatch.undo()
    assert sweep(services, now=due).removed == 1 and traces(store, number) == []


def test_a_ticket_reopened_while_its_parts_are_read_keeps_its_files(store, blobs,
                                                                   monkeypatch):
    services = desk(store, blobs)
    number = closed_ticket(store, blobs, services)
    due = add_months(CLOSED_AT, MONTHS)
    read_rating = store.get_rating

    def reopened_meanwhile(n):  # the last read before the files would go
        services.clock.set(due)
        use_cases.reopen_ticket(services, number)
        return read_rating(n)

    monkeypatch.setattr(store, "get_rating", reopened_meanwhile)
    from loket.services.retention import remove_ticket_data

    assert remove_ticket_data(services, number, due) is False
    monkeypatch.undo()
    assert blobs.size(f"attachments/{'f' * 22}") == 4 and traces(store, number)


def test_tickets_closed_before_retention_was_set_get_their_moment(store, blobs):
    services = desk(store, blobs, months=None)
    number = closed_ticket(store, blobs, services)
    assert store.get_ticket(number).due_at is None  # retention off: nothing due
    services = desk(store, blobs)
    services.clock.set(add_months(CLOSED_AT, 2))

    report = schedule_closed_tickets(services, ["planner"])

    assert (report.scheduled, report.skipped) == (1, 0)
    assert store.get_ticket(number).due_at == add_months(CLOSED_AT, MONTHS)
    assert schedule_closed_tickets(services, ["planner"]).scheduled == 0  # once
    removal = add_months(CLOSED_AT, MONTHS)
    # In the due index's removal part (storage/due_kinds.py), not with the timers.
    assert [t.number for t in store.due_removals(removal)] == [number]
    assert store.due_tickets(removal) == []
    assert sweep(services, now=removal).removed == 1
    assert traces(store, number) == []


def _new(i: int):
    from tests.contract.test_store_contract import new_ticket

    return new_ticket(f"Other {i}", email=f"other{i}@example.com", created_at=T0,
                      fields={"environment": "test",
                              "error_message": f"Mail other{i}@example.com"})


def test_a_ticket_reopened_after_its_last_check_is_not_stripped(store, blobs, monkeypatch):
    # The customer reopens the ticket right after retention's last look at its version
    # (the files gone) and before its rewrite: the rewrite is refused, the reopen
    # stays, and the ticket keeps what the reopened ticket holds.
    services = desk(store, blobs)
    number = closed_ticket(store, blobs, services)
    due = add_months(CLOSED_AT, MONTHS)
    read_ticket, pending = store.get_ticket, [True]

    def reopened_after_the_look(n):
        found = read_ticket(n)
        if pending and blobs.size(f"attachments/{'f' * 22}") is None:
            pending.pop()
            services.clock.set(due)
            use_cases.reopen_ticket(services, number)
        return found

    monkeypatch.setattr(store, "get_ticket", reopened_after_the_look)
    from loket.services.retention import remove_ticket_data

    assert remove_ticket_data(services, number, due) is False
    monkeypatch.undo()
    assert not pending, "retention never looked at the ticket after the files went"
    ticket = store.get_ticket(number)
    assert services.config.workflow.status(ticket.status).category != "closed"
    assert traces(store, number)
    assert sweep(services, now=due).removed == 0


def test_a_rating_given_after_its_last_check_stays(store, blobs, monkeypatch):
    # A rating takes no version of the ticket's: one given right after retention's last
    # look at a closed, unrated ticket and before its rewrite is not deleted by it.
    from loket.domain.accounts import Rating
    from loket.services.retention import remove_ticket_data

    services = desk(store, blobs)
    number = fill(store, blobs)["other"].number
    use_cases.set_status(services, number, "closed", by="bob@example.com")
    due = add_months(CLOSED_AT, MONTHS)
    read_ticket, reads = store.get_ticket, []

    def rated_after_the_look(n):
        found = read_ticket(n)
        reads.append(n)
        if len(reads) == 3:  # the read, a look before the files go, the last look
            store.rate_ticket(Rating(number, False, "Too slow.", due, "ann@example.com"))
        return found

    monkeypatch.setattr(store, "get_ticket", rated_after_the_look)
    assert remove_ticket_data(services, number, due) is False
    monkeypatch.undo()
    assert len(reads) == 3
    assert store.get_rating(number).comment == "Too slow."
    assert sweep(services, now=due).removed == 1
    assert store.get_rating(number) is not None
