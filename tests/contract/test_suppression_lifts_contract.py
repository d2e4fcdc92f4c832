"""Lifting a suppression (store.lift_suppression), on every store: the suppression goes,
a record of it and of who lifted it stays."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from loket.domain.outgoing import Suppression

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


def suppress(store, address="Bob@Example.com", reason="bounce", at=T0):
    store.suppress_address(Suppression(address=address, reason=reason,
                                       detail="550 5.1.1 user unknown", created_at=at))


def test_a_lifted_suppression_is_gone_and_its_record_kept(store):
    suppress(store)
    lift = store.lift_suppression("bob@example.com", lifted_by="ops@vendor.example",
                                  lifted_at=T0 + timedelta(days=1), note="mailbox fixed")
    assert store.get_suppression("bob@example.com") is None
    assert lift.suppression.reason == "bounce"
    assert lift.suppression.detail == "550 5.1.1 user unknown"
    assert store.suppression_lifts("BOB@example.com") == [lift]
    assert (lift.lifted_by, lift.lifted_at, lift.note) == (
        "ops@vendor.example", T0 + timedelta(days=1), "mailbox fixed")


def test_lifting_an_address_that_is_not_suppressed_changes_nothing(store):
    suppress(store, address="other@example.com")
    assert store.lift_suppression("bob@example.com", lifted_by="ops@vendor.example",
                                  lifted_at=T0) is None
    assert store.suppression_lifts("bob@example.com") == []
    assert store.get_suppression("other@example.com") is not None


def test_every_lift_is_kept_newest_first_and_a_new_suppression_counts_again(store):
    suppress(store, reason="bounce", at=T0)
    first = store.lift_suppression("bob@example.com", lifted_by="ann@vendor.example",
                                   lifted_at=T0 + timedelta(hours=1))
    suppress(store, reason="complaint", at=T0 + timedelta(days=2))
    assert store.get_suppression("bob@example.com").reason == "complaint"
    second = store.lift_suppression("Bob <bob@example.com>", lifted_by="cli:root",
                                    lifted_at=T0 + timedelta(days=3))
    assert second.suppression.reason == "complaint"
    assert store.suppression_lifts("bob@example.com") == [second, first]
    assert store.get_suppression("bob@example.com") is None


def test_lifts_are_per_address(store):
    suppress(store, address="bob@example.com")
    suppress(store, address="carol@example.com")
    store.lift_suppression("bob@example.com", lifted_by="cli:root", lifted_at=T0)
    assert store.get_suppression("carol@example.com") is not None
    assert store.suppression_lifts("carol@example.com") == []
