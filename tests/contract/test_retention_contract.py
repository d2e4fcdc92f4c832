"""Retention of refused mail (services/retention.py) on SQLite and DynamoDB: what came
before the cut-off goes with its raw message, the rest stays; the store is asked only
for what is due."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from types import SimpleNamespace

from loket.blobs.folder import FolderBlobs
from loket.clock import FixedClock
from loket.config.model import RetentionConfig
from loket.domain.refused import RefusalKind, RefusedMail
from loket.services.retention import remove_expired_refused
from tests.contract.test_store_contract import T0


def services(store, blobs, days: int, now):
    return SimpleNamespace(store=store, blobs=blobs, clock=FixedClock(now),
                           config=SimpleNamespace(retention=RetentionConfig(
                               refused_mail_days=days)))


def keep(store, blobs, refused_id: str, age_days: int) -> None:
    at = T0 - timedelta(days=age_days)
    key = f"refused/{refused_id}.eml"
    blobs.put(key, BytesIO(b"From: x@example.com\r\n\r\nhi"), content_type="message/rfc822")
    store.keep_refused(RefusedMail(refused_id, at, at + timedelta(days=30),
                                   RefusalKind.RATE_LIMITED, "too many",
                                   sender="x@example.com", raw_key=key, size=25))


def test_refused_mail_past_its_retention_goes_with_its_raw_message(store, tmp_path):
    blobs = FolderBlobs(tmp_path / "blobs", secret_key="test")
    for refused_id, age in (("old1", 45), ("old2", 31), ("young", 29), ("new", 0)):
        keep(store, blobs, refused_id, age)
    assert remove_expired_refused(services(store, blobs, 30, T0)) == 2
    assert [m.id for m in store.list_refused()] == ["new", "young"]
    assert blobs.size("refused/old1.eml") is None and blobs.size("refused/young.eml") == 25
    assert remove_expired_refused(services(store, blobs, 30, T0)) == 0


def test_a_shorter_retention_takes_more_and_a_limit_leaves_the_rest(store, tmp_path):
    blobs = FolderBlobs(tmp_path / "blobs", secret_key="test")
    for i in range(5):
        keep(store, blobs, f"r{i}", 10 + i)
    assert remove_expired_refused(services(store, blobs, 7, T0), limit=3) == 3
    assert remove_expired_refused(services(store, blobs, 7, T0)) == 2
    assert store.list_refused() == []
