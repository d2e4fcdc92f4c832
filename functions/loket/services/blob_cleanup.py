"""Removing attachment blobs that no stored message or upload names.

Files are stored before the message that names them (services/attachments.py), so a
crash, a failed store write or a lost race between two deliveries of one mail can
leave a file behind that nothing will ever name. This clean-up finds them: it lists
the blobs under attachments/ and thumbnails/ (S3 a page at a time), keeps every one
written within the grace period (its message may be being stored right now), and
removes the rest that the store does not name. Waiting uploads (uploads/) are not
its business: `loket uploads-clean` and S3's lifecycle rule see to those.

`loket blobs-clean` runs it (with --dry-run to look first); `loket serve`'s sweeper runs
it once a day (clean_up_daily), whichever process sweeps first that day. On AWS the
operator runs the command: the store's names are read with a Scan, which no function's
role has (tests/deploy/test_package.py keeps it so), so the sweep function does not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from loket.services.context import Services

log = logging.getLogger(__name__)

PREFIXES = ("attachments/", "thumbnails/")
# A file is stored moments before its message; a day is far beyond any request.
GRACE = timedelta(days=1)


@dataclass
class BlobCleanReport:
    dry_run: bool
    checked: int = 0  # blobs older than the grace period
    unnamed: list[str] = field(default_factory=list)  # removed, or would be

    def summary(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        return (f"{self.checked} blob{'' if self.checked == 1 else 's'} past the grace "
                f"period, {verb} {len(self.unnamed)} that no message names")


def remove_unnamed_blobs(services: Services, now: datetime | None = None, *,
                         grace: timedelta = GRACE, dry_run: bool = False) -> BlobCleanReport:
    """Remove (or with `dry_run` only list) the blobs written before `now - grace`
    that no stored message or upload names."""
    report = BlobCleanReport(dry_run)
    if services.blobs is None:
        return report
    cutoff = (now or services.clock.now()) - grace
    # Listed before the store is read: a message stored meanwhile names a file that
    # is younger than the grace period, or one the store read below sees.
    old = [blob.key for prefix in PREFIXES for blob in services.blobs.list_blobs(prefix)
           if blob.modified < cutoff]
    report.checked = len(old)
    if not old:
        return report
    named = services.store.named_blob_keys()
    report.unnamed = [key for key in old if key not in named]
    if not dry_run:
        for key in report.unnamed:
            services.blobs.delete(key)
    return report


def clean_up_daily(services: Services, now: datetime | None = None) -> BlobCleanReport | None:
    """remove_unnamed_blobs once a calendar day (UTC), for the sweeper: the first
    sweep of the day takes the day's counter and cleans; every other sweep (of any
    process or Lambda invocation) returns None at the cost of one counter write."""
    if services.blobs is None:
        return None
    now = now or services.clock.now()
    if services.store.add_to_counter(f"blobs-clean:{now:%Y-%m-%d}", 1, at_most=1) is None:
        return None
    report = remove_unnamed_blobs(services, now)
    if report.unnamed:
        log.info("blob clean-up: %s", report.summary())
    return report
