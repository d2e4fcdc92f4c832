"""The store contract for accounts, organizations, sessions, one-time links, plan
counters, ratings and the "my tickets" pages: run on SQLite and on DynamoDB (moto)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from loket.domain.accounts import (Account, OneTimeToken, Organization, OverPlan,
                                   Preferences, Rating, Role, Session, SupportPlan,
                                   TokenPurpose, Visibility)
from loket.domain.errors import AlreadyExists
from loket.storage.account_records import TicketQuery
from tests.contract.test_store_contract import T0, new_ticket
from tests.stores import save_audited

ACME = Organization(id="acme", name="Acme B.V.", created_at=T0,
                    products=frozenset({"planner", "payroll"}),
                    visibility=Visibility.ORGANIZATION,
                    plan=SupportPlan(tickets=10, period="year", over_limit=OverPlan.REFUSE,
                                     contacts_only=True))
ANN = Account(email="ann@acme.example", role=Role.CUSTOMER, created_at=T0, organization="acme",
              products=frozenset({"planner"}), first_name="Ann", last_name="de Vries",
              password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
              support_contact=True, language="nl",
              preferences=Preferences(status_changes=False, agent_replies=True, reminders=False),
              session_epoch=2)


def test_organizations_are_created_once_and_read_back(store):
    store.create_organization(ACME)
    assert store.get_organization("acme") == ACME
    with pytest.raises(AlreadyExists):
        store.create_organization(replace(ACME, name="Other"))
    assert store.get_organization("acme").name == "Acme B.V."
    assert store.get_organization("nobody") is None


def test_organizations_are_saved_and_listed_by_id(store):
    store.create_organization(replace(ACME, id="zeta", plan=SupportPlan()))
    store.create_organization(ACME)
    changed = replace(ACME, products=frozenset(), visibility=Visibility.OWN)
    store.save_organization(changed)
    assert store.get_organization("acme") == changed
    assert [o.id for o in store.list_organizations()] == ["acme", "zeta"]
    assert store.list_organizations()[1].plan == SupportPlan()


def test_accounts_are_created_once_read_back_and_saved(store):
    store.create_account(ANN)
    assert store.get_account(ANN.email) == ANN
    with pytest.raises(AlreadyExists):
        store.create_account(replace(ANN, first_name="Other"))
    invited = Account(email="bob@acme.example", role=Role.CUSTOMER, created_at=T0,
                      organization="acme")
    store.create_account(invited)
    assert store.get_account("bob@acme.example") == invited and not invited.active
    active = replace(invited, password_hash="h", first_name="Bob", session_epoch=1)
    store.save_account(active)
    assert store.get_account("bob@acme.example") == active
    assert store.get_account("nobody@acme.example") is None


def test_accounts_are_listed_by_organization_then_address(store):
    agent = Account(email="desk@vendor.example", role=Role.AGENT, created_at=T0,
                    products=frozenset({"planner"}))
    for account in (replace(ANN, email="zoe@acme.example"), ANN, agent,
                    replace(ANN, email="bea@beta.example", organization="beta")):
        store.create_account(account)
    assert [a.email for a in store.list_accounts()] == [
        "desk@vendor.example", "ann@acme.example", "zoe@acme.example", "bea@beta.example"]
    assert [a.email for a in store.list_accounts("acme")] == ["ann@acme.example",
                                                              "zoe@acme.example"]
    assert store.list_accounts("nobody") == []


def token(hash_="h1", purpose=TokenPurpose.INVITATION, hours=2) -> OneTimeToken:
    return OneTimeToken(hash=hash_, purpose=purpose, email=ANN.email, created_at=T0,
                        expires_at=T0 + timedelta(hours=hours))


def test_a_one_time_link_is_read_until_taken_and_taken_once(store):
    store.create_token(token())
    assert store.get_token("h1", TokenPurpose.INVITATION, T0) == token()
    assert store.get_token("h1", TokenPurpose.INVITATION, T0) == token()
    assert store.take_token("h1", TokenPurpose.INVITATION, T0) == token()
    assert store.take_token("h1", TokenPurpose.INVITATION, T0) is None
    assert store.get_token("h1", TokenPurpose.INVITATION, T0) is None


def test_a_one_time_link_of_another_purpose_or_expired_is_not_there(store):
    store.create_token(token())
    assert store.get_token("h1", TokenPurpose.PASSWORD_RESET, T0) is None
    assert store.take_token("h1", TokenPurpose.PASSWORD_RESET, T0) is None
    later = T0 + timedelta(hours=2)
    assert store.get_token("h1", TokenPurpose.INVITATION, later) is None
    assert store.take_token("h1", TokenPurpose.INVITATION, later) is None
    assert store.get_token("unknown", TokenPurpose.INVITATION, T0) is None


def test_concurrent_uses_of_one_link_give_it_to_one(store):
    store.create_token(token())
    results = []
    lock = threading.Lock()

    def take():
        found = store.take_token("h1", TokenPurpose.INVITATION, T0)
        with lock:
            results.append(found)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1


def session(hash_="s1", days=14) -> Session:
    return Session(hash=hash_, email=ANN.email, csrf="c", epoch=2, created_at=T0,
                   expires_at=T0 + timedelta(days=days))


def test_sessions_are_read_until_they_expire_or_are_deleted(store):
    store.create_session(session())
    store.create_session(session("s2"))
    assert store.get_session("s1", T0) == session()
    assert store.get_session("s1", T0 + timedelta(days=14)) is None
    store.delete_session("s1")
    store.delete_session("never-there")
    assert store.get_session("s1", T0) is None
    assert store.get_session("s2", T0) == session("s2")


def test_counters_add_and_refuse_beyond_a_limit(store):
    assert store.counter_value("plan:acme:2026") == 0
    assert [store.add_to_counter("plan:acme:2026", 1, at_most=2) for _ in range(3)] == [1, 2, None]
    assert store.counter_value("plan:acme:2026") == 2
    assert store.add_to_counter("plan:acme:2026", -1) == 1
    assert store.add_to_counter("plan:acme:2026", 5) == 6
    assert store.add_to_counter("plan:other:2026", 1, at_most=0) is None
    assert store.counter_value("plan:other:2026") == 0


def test_concurrent_counts_never_pass_the_limit(store):
    results = []
    lock = threading.Lock()

    def count():
        value = store.add_to_counter("plan:acme:2026-11", 1, at_most=5)
        with lock:
            results.append(value)

    threads = [threading.Thread(target=count) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v for v in results if v is not None) == [1, 2, 3, 4, 5]
    assert store.counter_value("plan:acme:2026-11") == 5


def test_a_ticket_is_rated_once(store):
    ticket, _ = store.create_ticket(new_ticket())
    assert store.get_rating(ticket.number) is None
    good = Rating(ticket=ticket.number, good=True, comment="Quick <and> kind", created_at=T0,
                  by=ANN.email)
    assert store.rate_ticket(good)
    assert not store.rate_ticket(replace(good, good=False, comment="changed my mind"))
    assert store.get_rating(ticket.number) == good
    assert [m.body for m in store.list_messages(ticket.number)] == [
        "The export button shows an error."]


def test_account_fields_of_a_ticket_read_back_and_save(store):
    ticket, _ = store.create_ticket(new_ticket(organization="acme", follow_up_of=10001))
    assert ticket.organization == "acme" and ticket.follow_up_of == 10001
    assert store.get_ticket(ticket.number) == ticket and not ticket.warranty
    saved = save_audited(store, replace(ticket, warranty=True), expected_version=1)
    assert store.get_ticket(ticket.number) == saved and saved.warranty


# -- "my tickets" ------------------------------------------------------------------------

def make_tickets(store):
    """Ann's tickets (planner and payroll), a colleague's, another organization's and
    an anonymous one from Ann's address, in number order."""
    specs = [("ann@acme.example", "planner", "acme", "Export fails"),
             ("Ann@ACME.example", "payroll", "acme", "Payslip wrong"),
             ("carl@acme.example", "planner", "acme", "Export slow"),
             ("bea@beta.example", "planner", "beta", "Export missing"),
             ("ann@acme.example", "planner", None, "Anonymous EXPORT question"),
             ("ann@acme.example", "planner", "acme", "Ünïcode Straße")]
    numbers = []
    for email, product, org, subject in specs:
        ticket, _ = store.create_ticket(new_ticket(subject, email=email, product=product,
                                                   organization=org))
        numbers.append(ticket.number)
    return numbers


def numbers_of(tickets):
    return [t.number for t in tickets]


def test_an_accounts_tickets_newest_first_within_its_products(store):
    n = make_tickets(store)
    both = frozenset({"planner", "payroll"})
    assert numbers_of(store.list_tickets(TicketQuery(both, account="ann@acme.example"))) == [
        n[5], n[4], n[1], n[0]]
    planner = frozenset({"planner"})
    assert numbers_of(store.list_tickets(TicketQuery(planner, account="ann@acme.example"))) == [
        n[5], n[4], n[0]]
    assert store.list_tickets(TicketQuery(frozenset(), account="ann@acme.example")) == []
    assert store.list_tickets(TicketQuery(both, account="nobody@acme.example")) == []


def test_an_organizations_tickets_leave_out_other_organizations_and_anonymous_ones(store):
    n = make_tickets(store)
    both = frozenset({"planner", "payroll"})
    assert numbers_of(store.list_tickets(TicketQuery(both, organization="acme"))) == [
        n[5], n[2], n[1], n[0]]
    assert numbers_of(store.list_tickets(TicketQuery(both, organization="beta"))) == [n[3]]


def test_tickets_are_found_by_status_and_by_text_in_the_subject(store):
    n = make_tickets(store)
    first = store.get_ticket(n[0])
    save_audited(store, replace(first, status="solved"), expected_version=1)
    planner = frozenset({"planner", "payroll"})
    solved = store.list_tickets(TicketQuery(planner, organization="acme",
                                            statuses=frozenset({"solved"})))
    assert numbers_of(solved) == [n[0]] and solved[0].status == "solved"
    assert store.list_tickets(TicketQuery(planner, organization="acme",
                                          statuses=frozenset())) == []
    found = store.list_tickets(TicketQuery(planner, account="ann@acme.example", text="export"))
    assert numbers_of(found) == [n[4], n[0]]
    assert numbers_of(store.list_tickets(TicketQuery(planner, account="ann@acme.example",
                                                     text="STRASSE"))) == [n[5]]


def test_pages_follow_each_other_both_ways(store):
    numbers = [store.create_ticket(new_ticket(f"t{i}", email="ann@acme.example",
                                              organization="acme"))[0].number
               for i in range(7)]
    planner = frozenset({"planner"})
    page = store.list_tickets(TicketQuery(planner, account="ann@acme.example", limit=3))
    assert numbers_of(page) == numbers[::-1][:4]  # the page and one more
    page = store.list_tickets(TicketQuery(planner, account="ann@acme.example", limit=3,
                                          after=page[2].number))
    assert numbers_of(page) == numbers[::-1][3:7]
    oldest = store.list_tickets(TicketQuery(planner, organization="acme", limit=3,
                                            newest_first=False, after=numbers[2]))
    assert numbers_of(oldest) == numbers[3:7]


def test_a_page_is_full_even_when_filters_leave_out_most_tickets(store):
    for i in range(40):
        store.create_ticket(new_ticket(f"needle {i}" if i % 13 == 0 else f"hay {i}",
                                       email="ann@acme.example"))
    found = store.list_tickets(TicketQuery(frozenset({"planner"}), account="ann@acme.example",
                                           text="needle", limit=2))
    assert [t.subject for t in found] == ["needle 39", "needle 26", "needle 13"]


# -- the agent desk's queue: tickets of a product --------------------------------------------

def test_a_products_tickets_of_every_account_and_organization_by_number(store):
    n = make_tickets(store)
    planner = frozenset({"planner"})
    assert numbers_of(store.list_tickets(TicketQuery(planner, product="planner"))) == [
        n[5], n[4], n[3], n[2], n[0]]
    assert numbers_of(store.list_tickets(TicketQuery(planner, product="planner",
                                                     newest_first=False))) == [
        n[0], n[2], n[3], n[4], n[5]]
    assert numbers_of(store.list_tickets(TicketQuery(frozenset({"payroll"}),
                                                     product="payroll"))) == [n[1]]
    # Rights still apply: a product outside them finds nothing.
    assert store.list_tickets(TicketQuery(frozenset({"payroll"}), product="planner")) == []
    assert store.list_tickets(TicketQuery(planner, product="nothing")) == []


def test_a_products_tickets_page_both_ways_and_filter_by_status(store):
    numbers = [store.create_ticket(new_ticket(f"t{i}", product="planner" if i % 3 else "payroll",
                                              email=f"c{i}@example.com"))[0].number
               for i in range(10)]
    planner = [n for i, n in enumerate(numbers) if i % 3]
    product = frozenset({"planner"})
    page = store.list_tickets(TicketQuery(product, product="planner", limit=3))
    assert numbers_of(page) == planner[::-1][:4]  # the page and one more
    page = store.list_tickets(TicketQuery(product, product="planner", limit=3,
                                          after=page[2].number))
    assert numbers_of(page) == planner[::-1][3:6]
    oldest = store.list_tickets(TicketQuery(product, product="planner", limit=2,
                                            newest_first=False, after=planner[1]))
    assert numbers_of(oldest) == planner[2:5]
    save_audited(store, replace(store.get_ticket(planner[3]), status="solved"), expected_version=1)
    solved = store.list_tickets(TicketQuery(product, product="planner",
                                            statuses=frozenset({"solved"})))
    assert numbers_of(solved) == [planner[3]]
    still_open = store.list_tickets(TicketQuery(product, product="planner",
                                                statuses=frozenset({"open"}), limit=2))
    assert numbers_of(still_open) == [planner[5], planner[4], planner[2]]


def test_a_query_names_exactly_one_of_account_organization_product():
    with pytest.raises(ValueError):
        TicketQuery(frozenset({"planner"}), account="a@example.com", product="planner")
    with pytest.raises(ValueError):
        TicketQuery(frozenset({"planner"}))


def test_an_idempotency_key_tells_its_ticket(store):
    from loket.domain.errors import IdempotencyConflict

    assert store.idempotent_ticket("k1", "f") is None
    ticket, _ = store.create_ticket(new_ticket(), idempotency_key="k1", fingerprint="f")
    assert store.idempotent_ticket("k1", "f") == ticket
    with pytest.raises(IdempotencyConflict):
        store.idempotent_ticket("k1", "other")
