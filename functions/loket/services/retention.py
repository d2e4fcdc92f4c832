"""Retention (portal.yml `retention:`; README.md, "Retention"): refused mail goes, with
its raw message, `refused_mail_days` after it came.

The sweeper of `loket serve` runs this each round. It asks the refused mail's index by
time for what came before the cut-off, a page at a time, so a round costs O(mail due),
never a read of all of it. On AWS the table's TTL (the item's `expires_at`) and the
attachments bucket's lifecycle rule for `refused/` (serverless.yml, from the same
setting) remove it instead, with no function's time or rights.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from loket.services.context import Services

PAGE = 100


def remove_expired_refused(services: Services, now: datetime | None = None,
                           *, limit: int = 1000) -> int:
    """Remove refused mail older than the retention, at most `limit` of it (the rest
    next round); how many went."""
    from loket.storage.data_port import data_port
    from loket.storage.refused_records import refused_to_record

    now = now or services.clock.now()
    cutoff = now - timedelta(days=services.config.retention.refused_mail_days)
    port = data_port(services.store)
    removed = 0
    while removed < limit:
        due = services.store.list_refused(limit=min(PAGE, limit - removed), before=cutoff)
        if not due:
            break
        # The raw message first, then the record: after a crash between the two the
        # record is still due, and the next round finishes (deleting no blob is fine).
        for mail in due:
            if mail.raw_key and services.blobs is not None:
                services.blobs.delete(mail.raw_key)
        port.delete_records("refused", [refused_to_record(mail) for mail in due])
        removed += len(due)
    return removed
