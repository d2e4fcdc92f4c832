"""A dispatcher's claim on SQLite takes the write lock only when mail is due
(storage/sqlite_mail.py): `loket serve`'s mail process, at the lowest CPU priority, is
often woken for mail a round before it took, and the server's writers would wait on the
file's lock behind it."""

from __future__ import annotations

from loket.storage.sqlite import SQLiteStore
from tests.contract.test_mail_queue_contract import LEASE, T0, mail


def counting_writes(store: SQLiteStore) -> list[int]:
    writes = []
    real = store._write
    store._write = lambda: writes.append(1) or real()
    return writes


def test_a_claim_with_nothing_due_takes_no_write_lock(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    store.migrate()
    store.enqueue_mail([mail(at=T0)])
    writes = counting_writes(store)
    assert store.claim_mail(T0 - LEASE, T0) == []  # not due yet
    assert writes == []
    [claimed] = store.claim_mail(T0, T0 + LEASE)
    assert writes == [1] and claimed.next_attempt_at == T0 + LEASE
    assert store.claim_mail(T0, T0 + LEASE) == []  # claimed: due again at the lease's end
    assert writes == [1]
