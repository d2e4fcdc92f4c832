"""Known issues' linked tickets on every store: the index `loket publish` reads to find
whom to tell that a fix is out (services/known_issues.py). Linking twice keeps one
link; each issue lists only its own tickets, by number."""

from __future__ import annotations

from datetime import timedelta

from tests.contract.test_store_contract import T0, new_ticket


def test_an_issue_lists_its_linked_tickets_by_number(store):
    first, _ = store.create_ticket(new_ticket())
    second, _ = store.create_ticket(new_ticket())
    store.add_known_issue_link("PLN-142", second.number, T0)
    store.add_known_issue_link("PLN-142", first.number, T0 + timedelta(minutes=1))
    assert store.known_issue_tickets("PLN-142") == [first.number, second.number]


def test_linking_again_keeps_one_link(store):
    ticket, _ = store.create_ticket(new_ticket())
    store.add_known_issue_link("PLN-142", ticket.number, T0)
    store.add_known_issue_link("PLN-142", ticket.number, T0 + timedelta(days=1))
    assert store.known_issue_tickets("PLN-142") == [ticket.number]


def test_issues_keep_their_own_tickets(store):
    ticket, other = store.create_ticket(new_ticket())[0], store.create_ticket(new_ticket())[0]
    store.add_known_issue_link("PLN-142", ticket.number, T0)
    store.add_known_issue_link("PLN-1420", other.number, T0)
    assert store.known_issue_tickets("PLN-142") == [ticket.number]
    assert store.known_issue_tickets("PAY-7") == []


def test_many_linked_tickets_are_all_listed(store):
    numbers = [store.create_ticket(new_ticket())[0].number for _ in range(30)]
    for number in reversed(numbers):
        store.add_known_issue_link("PLN-142", number, T0)
    assert store.known_issue_tickets("PLN-142") == numbers
