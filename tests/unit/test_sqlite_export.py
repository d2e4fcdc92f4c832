"""SQLite's export (storage/sqlite_export.py) writes the kinds in one order and each
kind's records in the order of its key, so two exports of the same store are the same
bytes; the erasure's read of a record by its key gives the record the export gives.
(A DynamoDB Scan has no order: the contract suite compares sorted lines.)"""

from __future__ import annotations

from datetime import timedelta

from loket.domain.accounts import Account, Organization, Role
from loket.domain.attachments import Upload
from loket.domain.outgoing import Suppression
from loket.domain.refused import KEEP_REFUSED, RefusalKind, RefusedMail
from loket.storage.data_port import data_port
from tests.contract.test_store_contract import T0, new_ticket
from tests.sample_data import fill, mail
from tests.stores import make_store

KINDS = ["tickets", "idempotency_keys", "known_issue_links", "organizations", "accounts",
         "counters", "mail", "suppressions", "suppression_lifts", "refused", "uploads"]


def filled(tmp_path):
    """The sample data, and more of several kinds stored out of their key order."""
    store = make_store("sqlite", tmp_path)
    fill(store)
    for org in ("zeta", "beta"):
        store.create_organization(Organization(org, org.title(), T0, frozenset()))
    for email in ("yves@example.com", "abe@example.com"):
        store.create_account(Account(email, Role.CUSTOMER, T0, first_name=email[:3]))
    for name in ("zzz", "import#abc", "aaa"):
        store.add_to_counter(name, 1)
    made = [store.create_ticket(new_ticket(key), idempotency_key=key, fingerprint=key)[0]
            for key in ("key-z", "key-a")]
    store.add_known_issue_link("PLN-9", made[0].number, T0)
    store.add_known_issue_link("PLN-1", made[1].number, T0)
    store.add_known_issue_link("PLN-1", made[0].number, T0)
    for address in ("yves@example.com", "abe@example.com"):
        store.suppress_address(Suppression(address, "bounce", "550", T0 - timedelta(days=1)))
        store.lift_suppression(address, lifted_by="bob@example.com", lifted_at=T0)
    store.enqueue_mail([mail("yves@example.com", n=9), mail("abe@example.com", n=8)])
    for key in ("r9", "r0"):
        store.keep_refused(RefusedMail(key, T0, T0 + KEEP_REFUSED, RefusalKind.RATE_LIMITED,
                                       "too many", sender="abe@example.com"))
    store.create_upload(Upload(id="z" * 22, name="a.txt", content_type="text/plain", size=1,
                               created_at=T0, expires_at=T0 + timedelta(days=1)))
    return store


def by_kind(records) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for kind, record in records:
        found.setdefault(kind, []).append(record)
    return found


def test_kinds_come_out_in_one_order_each_sorted_by_its_key(tmp_path):
    records = list(data_port(filled(tmp_path)).export_records())
    assert list(dict.fromkeys(kind for kind, _ in records)) == KINDS
    out = by_kind(records)
    keys = {"tickets": lambda r: r["ticket"]["number"], "idempotency_keys": "key",
            "known_issue_links": lambda r: (r["issue"], r["ticket"]),
            "organizations": "id", "accounts": "email", "counters": "name", "mail": "id",
            "suppressions": "address", "refused": "id", "uploads": "id"}
    for kind, key in keys.items():
        key_of = key if callable(key) else (lambda r, key=key: r[key])
        assert [key_of(r) for r in out[kind]] == sorted(key_of(r) for r in out[kind]), kind
    # Lifts in the order they were made (they have no key of their own).
    assert [r["address"] for r in out["suppression_lifts"]] == [
        "zoe.vanderberg@example.org", "yves@example.com", "abe@example.com"]
    # An import's own progress marks stay out.
    assert [r["name"] for r in out["counters"]] == ["aaa", "plan:acme:2026-11", "ticket",
                                                    "zzz"]
    assert {kind: len(out[kind]) for kind in ("known_issue_links", "organizations", "refused",
                                              "uploads")} == {
        "known_issue_links": 4, "organizations": 3, "refused": 3, "uploads": 2}


def test_the_erasure_reads_by_key_what_the_export_reads(tmp_path):
    port = data_port(filled(tmp_path))
    out = by_kind(port.export_records())
    for kind in ("organizations", "accounts", "counters", "mail", "suppressions", "refused",
                 "uploads", "idempotency_keys", "suppression_lifts"):
        seen: list[dict] = []
        assert port.rewrite_records(kind, out[kind], lambda r: seen.append(r) or r) == 0
        assert seen == out[kind], kind
    lifts = port.read_lifts(["abe@example.com", "zoe.vanderberg@example.org"])
    assert [r for _, r in lifts] == [out["suppression_lifts"][2], out["suppression_lifts"][0]]
