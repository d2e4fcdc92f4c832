"""Ticket events (domain/events.py), the timeline and audit trail, on every store: they
are written with the change they describe or not at all, listed oldest first, and can
only be appended; the store offers no way to change or remove one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from loket.domain.accounts import Rating
from loket.domain.errors import VersionConflict
from loket.domain.events import (SYSTEM, Actor, EventKind, TicketEvent, event_key,
                                 events_of_change)
from loket.domain.tickets import AuthorRole, Message
from tests.contract.test_store_contract import T0, new_ticket

AGENT = Actor("desk@nordwind.example", AuthorRole.AGENT)


def change(store, ticket, after, *, by=AGENT, messages=(), extra=()):
    """Save `after` over `ticket` with the events worked out from the change."""
    events = events_of_change(ticket, after, by=by, at=after.updated_at,
                              messages=messages, extra=extra)
    return store.save_ticket(after, expected_version=ticket.version, events=events,
                             messages=messages), events


def test_a_new_ticket_has_its_created_event(store):
    ticket, _ = store.create_ticket(new_ticket())
    [created] = store.list_events(ticket.number)
    assert created.kind is EventKind.CREATED and created.by == "ann@example.com"
    assert created.role is AuthorRole.CUSTOMER and created.at == T0
    assert created.ticket == ticket.number and created.detail == {"status": "open"}


def test_a_ticket_taken_by_telephone_names_the_agent_in_its_created_event(store):
    ticket, _ = store.create_ticket(new_ticket(taken_by=AGENT.name))
    [created] = store.list_events(ticket.number)
    assert created.kind is EventKind.CREATED and created.by == AGENT.name
    assert created.role is AuthorRole.AGENT
    assert created.detail == {"status": "open", "for": "ann@example.com", "channel": "phone"}
    assert store.get_ticket(ticket.number).email == "ann@example.com"  # still hers


def test_a_change_saves_its_events_with_it_and_they_list_oldest_first(store):
    ticket, _ = store.create_ticket(new_ticket())
    later = T0 + timedelta(minutes=5)
    note = Message("desk@nordwind.example", AuthorRole.AGENT, "Checking <the> logs",
                   later, public=False)
    saved, events = change(store, ticket, replace(ticket, status="pending", assignee="desk",
                                                  updated_at=later), messages=[note])
    later2 = later + timedelta(minutes=1)
    change(store, saved, replace(saved, warranty=True, updated_at=later2))
    listed = store.list_events(ticket.number)
    assert [e.kind for e in listed] == [EventKind.CREATED, EventKind.STATUS,
                                        EventKind.ASSIGNED, EventKind.NOTE,
                                        EventKind.WARRANTY]
    assert listed[1:4] == events
    assert listed[1].detail == {"old": "open", "new": "pending", "cause": "agent"}
    assert listed[3].detail == {"excerpt": "Checking <the> logs"}
    assert listed[4].detail == {"old": "no", "new": "yes"} and listed[4].at == later2


def test_a_save_refused_for_its_version_writes_no_event(store):
    ticket, _ = store.create_ticket(new_ticket())
    change(store, ticket, replace(ticket, status="pending", updated_at=T0))
    with pytest.raises(VersionConflict):
        change(store, ticket, replace(ticket, status="solved", updated_at=T0))
    assert [e.detail.get("new") for e in store.list_events(ticket.number)] == [None, "pending"]


def test_a_change_without_events_is_refused_and_writes_nothing(store):
    ticket, _ = store.create_ticket(new_ticket())
    for events in ([], [TicketEvent(ticket.number + 1, T0, "x", AuthorRole.AGENT,
                                    EventKind.UPDATED, {}, event_key(T0, 2, 0))]):
        with pytest.raises(ValueError):
            store.save_ticket(replace(ticket, status="solved"), expected_version=1,
                              events=events)
    assert store.get_ticket(ticket.number) == ticket
    assert len(store.list_events(ticket.number)) == 1


def test_an_event_is_never_overwritten(store):
    """Writing an event under a key that is taken fails the whole change: the first
    event stays as written, and the ticket unchanged."""
    ticket, _ = store.create_ticket(new_ticket())
    saved, [first] = change(store, ticket, replace(ticket, status="pending", updated_at=T0))
    forged = replace(first, by="someone-else", detail={"old": "x", "new": "y"})
    with pytest.raises(Exception):
        store.save_ticket(replace(saved, status="solved"), expected_version=saved.version,
                          events=[forged])
    assert store.list_events(ticket.number)[1] == first
    assert store.get_ticket(ticket.number) == saved


def test_events_of_other_tickets_do_not_mix_and_an_unknown_ticket_has_none(store):
    a, _ = store.create_ticket(new_ticket("a"))
    b, _ = store.create_ticket(new_ticket("b"))
    change(store, a, replace(a, status="pending", updated_at=T0))
    assert len(store.list_events(a.number)) == 2 and len(store.list_events(b.number)) == 1
    assert store.list_events(424242) == []


def test_merges_links_and_timers_are_events_too(store):
    ticket, _ = store.create_ticket(new_ticket())
    saved, _ = change(store, ticket, replace(ticket, updated_at=T0),
                      extra=[(EventKind.LINKED, {"other": "10009"})])
    change(store, saved, replace(saved, due_at=T0 + timedelta(days=1), updated_at=T0),
           by=SYSTEM)
    linked, rescheduled = store.list_events(ticket.number)[1:]
    assert linked.kind is EventKind.LINKED and linked.detail == {"other": "10009"}
    assert rescheduled.kind is EventKind.UPDATED and rescheduled.role is AuthorRole.SYSTEM


def test_a_rating_writes_its_event_once(store):
    ticket, _ = store.create_ticket(new_ticket())
    at = T0 + timedelta(days=2)
    assert store.rate_ticket(Rating(ticket.number, False, "Slow <answer>", at, "ann@example.com"))
    assert not store.rate_ticket(Rating(ticket.number, True, "again", at, "ann@example.com"))
    rated = [e for e in store.list_events(ticket.number) if e.kind is EventKind.RATED]
    assert [(e.detail, e.at, e.by) for e in rated] == [
        ({"rating": "bad", "comment": "Slow <answer>"}, at, "ann@example.com")]


def test_the_store_has_no_way_to_change_or_remove_an_event(store):
    """Appended with a change, listed; nothing else. (SQLite's triggers refuse an
    UPDATE or DELETE even typed by hand: tests/unit/test_sqlite_events.py.)"""
    names = [name for name in dir(store) if "event" in name.lower()
             and not name.startswith("__")]
    assert {n for n in names if not n.startswith("_")} == {"list_events"}
    assert not [n for n in names if any(verb in n for verb in
                                        ("update", "delete", "remove", "edit", "replace"))]


def test_presence_lists_the_agents_with_the_ticket_open_until_their_time_ends(store):
    """Who has a ticket open at the desk (collision): each poll marks an agent present
    until a moment; a mark again moves it; others' tickets do not mix."""
    ticket, _ = store.create_ticket(new_ticket())
    other, _ = store.create_ticket(new_ticket("other"))
    store.mark_presence(ticket.number, "bea@nordwind.example", T0 + timedelta(seconds=30))
    store.mark_presence(ticket.number, "al@nordwind.example", T0 + timedelta(seconds=10))
    store.mark_presence(other.number, "cy@nordwind.example", T0 + timedelta(seconds=30))
    assert store.present_agents(ticket.number, T0) == ["al@nordwind.example",
                                                       "bea@nordwind.example"]
    assert store.present_agents(ticket.number, T0 + timedelta(seconds=20)) == [
        "bea@nordwind.example"]
    store.mark_presence(ticket.number, "al@nordwind.example", T0 + timedelta(seconds=60))
    assert store.present_agents(ticket.number, T0 + timedelta(seconds=40)) == [
        "al@nordwind.example"]
    assert len(store.list_events(ticket.number)) == 1  # presence is no change
