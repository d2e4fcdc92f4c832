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
from loket.services.erase import start_erasure
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
