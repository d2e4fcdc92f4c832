"""Another writer changes a record that names the person (an account, an organization,
a suppression) between the erasure's read of it and its write, on SQLite and DynamoDB:
the change stays (a new password, new products, a lifted suppression that stays lifted)
and the person's address and name are gone from the record all the same. The hook is
test_erase_during_dispatch_contract's: it runs the change when the erasure has read the
record and is deciding what to do with it, before any of the chunk's writes."""

from __future__ import annotations

from dataclasses import replace

from loket.domain.accounts import Account, Organization, Role
from loket.domain.outgoing import Suppression
from loket.services.erase import erase_chunk, start_erasure
from loket.storage.data_port import data_port
from tests.contract.test_erase_contract import blobs  # noqa: F401 - the fixture
from tests.contract.test_erase_during_dispatch_contract import hooked_erasure
from tests.contract.test_mail_queue_contract import T0
from tests.sample_data import PERSON, PERSON_NAME, fill

# Someone else whose records carry the person's last name (rewritten, not removed).
KIN = "jan@example.com"
KIN_ORG = "vdb"


def _erase(store, blobs, between, when):  # noqa: F811
    eraser = start_erasure(store, blobs, PERSON, messages=True)
    hooked_erasure(store, eraser, between, when)


def test_a_password_changed_meanwhile_stays(store, blobs):  # noqa: F811
    fill(store)
    store.create_account(Account(KIN, Role.CUSTOMER, T0, first_name="Jan",
                                 last_name=PERSON_NAME[1], password_hash="scrypt$old"))

    def change_password():
        account = store.get_account(KIN)
        store.save_account(replace(account, password_hash="scrypt$new", session_epoch=1))

    _erase(store, blobs, change_password, lambda record: record.get("email") == KIN)
    account = store.get_account(KIN)
    assert (account.password_hash, account.session_epoch) == ("scrypt$new", 1)
    assert PERSON_NAME[1] not in account.last_name


def test_an_organization_changed_meanwhile_keeps_the_change(store, blobs):  # noqa: F811
    fill(store)
    store.create_organization(Organization(KIN_ORG, f"{PERSON_NAME[1]} Consulting", T0,
                                           frozenset({"planner"})))

    def add_product():
        org = store.get_organization(KIN_ORG)
        store.save_organization(replace(org, products=frozenset({"planner", "ledger"})))

    _erase(store, blobs, add_product, lambda record: record.get("id") == KIN_ORG)
    org = store.get_organization(KIN_ORG)
    assert org.products == frozenset({"planner", "ledger"})
    assert PERSON_NAME[1] not in org.name


def test_a_suppression_lifted_meanwhile_stays_lifted(store, blobs):  # noqa: F811
    fill(store)
    store.suppress_address(Suppression(KIN, "bounce", f"550 {PERSON} moved", T0))

    def lift():
        assert store.lift_suppression(KIN, lifted_by="bob@example.com", lifted_at=T0)

    _erase(store, blobs, lift, lambda record: record.get("address") == KIN)
    assert store.get_suppression(KIN) is None
    # The lift's record, made meanwhile as a copy of the suppression, loses the person
    # too (the erasure looks up the lifts of the suppressions it read, last).
    [kept] = store.suppression_lifts(KIN)
    assert kept.lifted_by == "bob@example.com"
    assert PERSON not in str(kept)


def test_their_suppression_lifted_meanwhile_leaves_no_lift(store, blobs):  # noqa: F811
    fill(store)  # the person's suppression, and the record of an earlier lift

    def lift():
        assert store.lift_suppression(PERSON, lifted_by="bob@example.com", lifted_at=T0)

    _erase(store, blobs, lift, lambda record: record.get("address") == PERSON)
    assert store.get_suppression(PERSON) is None
    assert store.suppression_lifts(PERSON) == []


def test_a_lift_under_way_while_the_erasure_runs_copies_the_suppression_rewritten(
        store, blobs, monkeypatch):  # noqa: F811
    # The lift read the suppression, the whole erasure ran (so its look-up of lifts
    # found none), then the lift writes: it must not store the suppression as it read
    # it. DynamoDB reads before its transaction (the hook runs there); SQLite reads in
    # its write transaction, so the erasure can only come before it.
    fill(store)
    store.suppress_address(Suppression(KIN, "bounce", f"550 {PERSON} moved", T0))
    eraser = start_erasure(store, blobs, PERSON, messages=True)

    def erase():
        port, cursor = data_port(store), erase_chunk(data_port(store), eraser, None)
        while cursor is not None:
            cursor = erase_chunk(port, eraser, cursor)

    if hasattr(store, "client"):
        pending, get = [erase], store._get

        def hooked(key):
            item = get(key)
            if pending and key.get("sk") == "SUPPRESS" and item and KIN in key["pk"]:
                pending.pop()()
            return item

        monkeypatch.setattr(store, "_get", hooked)
    else:
        erase()
    assert store.lift_suppression(KIN, lifted_by="bob@example.com", lifted_at=T0)
    [kept] = store.suppression_lifts(KIN)
    assert PERSON not in str(kept)
