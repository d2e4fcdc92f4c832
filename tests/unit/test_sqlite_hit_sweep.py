"""SQLite removes expired rate-limit counters in a ticket's write once a window, not at
every write: the removal runs when the latest window's start moves, and then takes
every counter that expired before it."""

from __future__ import annotations

from datetime import timedelta

from loket.storage.sqlite import SQLiteStore
from tests.contract.test_store_contract import new_ticket
from tests.contract.test_submission_limits_contract import DAY, HOUR, hits


def _counters(store: SQLiteStore) -> list[str]:
    return [key for (key,) in store._connection().execute(
        "SELECT key FROM hit_counters ORDER BY key")]


def _deletes(store: SQLiteStore) -> list[str]:
    """The statements removing counters that the store's writer runs from now on."""
    seen: list[str] = []
    store._writer().set_trace_callback(
        lambda sql: seen.append(sql) if sql.startswith("DELETE FROM hit_counters") else None)
    return seen


def test_expired_counters_go_once_a_window(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    deletes = _deletes(store)
    for _ in range(3):
        store.create_ticket(new_ticket(), hits=hits(per_hour=10))
    assert len(deletes) == 1  # the first write of the window; nothing expired since
    later = [hit.__class__(hit.key, hit.window_start + timedelta(hours=2),
                           hit.expires_at + timedelta(hours=2), hit.limit)
             if hit.window_start == HOUR else hit for hit in hits(per_hour=10)]
    store.create_ticket(new_ticket(), hits=later)
    assert len(deletes) == 2
    hour_key = f"submit:192.0.2.1:hour@{(HOUR + timedelta(hours=2)).isoformat()}"
    day_key = f"submit:192.0.2.1:day@{DAY.isoformat()}"
    assert _counters(store) == [day_key, hour_key]  # the earlier hour's expired and went
