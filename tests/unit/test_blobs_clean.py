"""The clean-up of attachment blobs no message names, on the folder store: only blobs
past the grace period and named by nothing go; a dry run removes nothing; the
sweeper runs it once a day; `loket blobs-clean` prints what it did."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from loket.blobs.folder import FolderBlobs
from loket.cli import main
from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.mail.outbox import OutboxMailer
from loket.services.blob_cleanup import clean_up_daily, remove_unnamed_blobs
from loket.services.context import Services
from loket.services.mail_in import take_in_mail
from loket.storage.sqlite import SQLiteStore
from tests.paths import FIXTURES, SITE_CONFIG

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)
# A real mail with a PNG and a forwarded message: two files a message names.
MAIL = FIXTURES / "mail/mikel-mail/attachment_emails/attachment_message_rfc822_inline_image.eml"
ORPHANS = ("attachments/orphan-file-0000000001", "thumbnails/orphan-file-0000000001.png")


@pytest.fixture
def services(tmp_path):
    return Services(config=load_portal_config(SITE_CONFIG),
                    store=SQLiteStore(tmp_path / "loket.db"),
                    mail=OutboxMailer(tmp_path / "outbox"), clock=FixedClock(T0),
                    base_url="http://portal.test", mail_from="Support <support@nordwind.example>",
                    blobs=FolderBlobs(tmp_path / "blobs", secret_key="test-secret"))


def blob_keys(services) -> set[str]:
    return {b.key for p in ("attachments/", "thumbnails/", "uploads/")
            for b in services.blobs.list_blobs(p)}


def written_at(services, moment: datetime, *keys: str) -> None:
    for key in keys:
        os.utime(services.blobs.root / key, (moment.timestamp(), moment.timestamp()))


def with_orphans(services) -> set[str]:
    """A ticket by mail with its files, plus two files nothing names; all a day old."""
    take_in_mail(services, MAIL.read_bytes())
    named = blob_keys(services)
    for key in ORPHANS:
        services.blobs.put(key, io.BytesIO(b"left behind"), content_type="text/plain")
    written_at(services, T0 - timedelta(days=1, seconds=1), *named, *ORPHANS)
    return named


def test_only_old_blobs_that_no_message_names_are_removed(services):
    named = with_orphans(services)
    assert len(named) >= 2
    report = remove_unnamed_blobs(services)
    assert sorted(report.unnamed) == sorted(ORPHANS)
    assert report.checked == len(named) + len(ORPHANS)
    assert blob_keys(services) == named
    [message] = services.store.list_messages(10001)
    for attachment in message.attachments:  # every file of the ticket still reads back
        assert services.blobs.read(attachment.key)


def test_a_dry_run_lists_and_removes_nothing(services):
    named = with_orphans(services)
    report = remove_unnamed_blobs(services, dry_run=True)
    assert sorted(report.unnamed) == sorted(ORPHANS)
    assert blob_keys(services) == named | set(ORPHANS)
    assert "would remove 2" in report.summary()


def test_blobs_within_the_grace_period_stay(services):
    named = with_orphans(services)
    written_at(services, T0 - timedelta(hours=23), ORPHANS[0])
    assert remove_unnamed_blobs(services).unnamed == [ORPHANS[1]]
    assert blob_keys(services) == named | {ORPHANS[0]}
    assert remove_unnamed_blobs(services, grace=timedelta(hours=1)).unnamed == [ORPHANS[0]]


def test_waiting_uploads_are_left_to_uploads_clean(services):
    services.blobs.put("uploads/waiting-upload-000001", io.BytesIO(b"x"),
                       content_type="text/plain")
    written_at(services, T0 - timedelta(days=3), "uploads/waiting-upload-000001")
    assert remove_unnamed_blobs(services).unnamed == []
    assert "uploads/waiting-upload-000001" in blob_keys(services)


def test_the_sweeper_cleans_once_a_day(services):
    with_orphans(services)
    assert sorted(clean_up_daily(services).unnamed) == sorted(ORPHANS)
    services.blobs.put(ORPHANS[0], io.BytesIO(b"again"), content_type="text/plain")
    written_at(services, T0 - timedelta(days=2), ORPHANS[0])
    assert clean_up_daily(services, T0 + timedelta(hours=10)) is None  # same day
    assert clean_up_daily(services, T0 + timedelta(days=1)).unnamed == [ORPHANS[0]]


def test_the_command_line(services, tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(SITE_CONFIG),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_BLOB_DIR": str(tmp_path / "blobs"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    named = with_orphans(services)
    now = (T0 + timedelta(minutes=1)).isoformat()
    dry = CliRunner().invoke(main, ["blobs-clean", "--dry-run", "--now", now])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        *(f"would remove {key}" for key in ORPHANS),
        f"{len(named) + 2} blobs past the grace period, would remove 2 that no message names"]
    assert blob_keys(services) == named | set(ORPHANS)
    done = CliRunner().invoke(main, ["blobs-clean", "--now", now, "--grace-hours", "48"])
    assert done.output.endswith("0 blobs past the grace period, removed 0 that no message "
                                "names\n")
    done = CliRunner().invoke(main, ["blobs-clean", "--now", now])
    assert done.exit_code == 0 and "removed attachments/orphan-file-0000000001" in done.output
    assert blob_keys(services) == named


def test_loket_serve_s_sweep_loop_cleans(services):
    from loket.services.sweeper import SweepLoop

    named = with_orphans(services)
    loop = SweepLoop(services, interval=60)
    loop._stop.wait = lambda timeout: loop._stop.set()  # one round, in this thread
    loop._run()
    assert blob_keys(services) == named
