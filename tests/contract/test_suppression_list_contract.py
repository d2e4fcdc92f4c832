"""The list of suppressed addresses (store.list_suppressions, the desk's list for
admins), on every store: newest first, up to a limit, without lifted ones, and the
same after an export and import."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from loket.domain.outgoing import Suppression

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


def suppress(store, address: str, hours: int, reason: str = "bounce") -> Suppression:
    suppression = Suppression(address=address, reason=reason, detail="550 5.1.1 user unknown",
                              created_at=T0 + timedelta(hours=hours))
    store.suppress_address(suppression)
    return suppression


def addresses(store, **kwargs) -> list[str]:
    return [s.address for s in store.list_suppressions(**kwargs)]


def test_suppressions_are_listed_newest_first(store):
    assert store.list_suppressions() == []
    suppress(store, "Old@Example.com", 0)
    suppress(store, "new@example.com", 2, reason="complaint")
    suppress(store, "middle@example.com", 1)
    assert addresses(store) == ["new@example.com", "middle@example.com", "old@example.com"]
    newest = store.list_suppressions(limit=1)
    assert [(s.address, s.reason, s.created_at) for s in newest] == [
        ("new@example.com", "complaint", T0 + timedelta(hours=2))]


def test_a_lifted_address_leaves_the_list_and_a_new_suppression_is_listed_once(store):
    suppress(store, "bob@example.com", 0)
    suppress(store, "eve@example.com", 1)
    store.lift_suppression("bob@example.com", lifted_by="ops@vendor.example",
                           lifted_at=T0 + timedelta(hours=3))
    assert addresses(store) == ["eve@example.com"]
    suppress(store, "eve@example.com", 4, reason="complaint")  # again: replaces the first
    assert [(s.address, s.reason) for s in store.list_suppressions()] == [
        ("eve@example.com", "complaint")]


def test_suppressions_made_now_need_no_reindex(store):
    # `loket desk-reindex --suppressions` (index_suppressions) is for suppressions stored
    # before the list (tests/aws/test_desk_reindex_suppressions.py has DynamoDB's old
    # items): those made now are on it, so it finds nothing to do and changes nothing.
    suppress(store, "ann@example.com", 0)
    suppress(store, "bob@example.com", 1)
    assert store.index_suppressions() == 0
    assert addresses(store) == ["bob@example.com", "ann@example.com"]
