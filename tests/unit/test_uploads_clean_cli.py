"""`loket uploads-clean`: uploads never attached go after their day, attached ones stay."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from loket.cli import main
from loket.domain.attachments import Upload
from loket.storage.sqlite import SQLiteStore
from tests.paths import SITE_CONFIG

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


def test_uploads_clean_removes_expired_uploads_and_their_files(tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(SITE_CONFIG),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_BLOB_DIR": str(tmp_path / "blobs"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    store = SQLiteStore(tmp_path / "loket.db")
    for upload_id in ("left" * 6, "kept" * 6):
        store.create_upload(Upload(id=upload_id, name="a.png", content_type="image/png",
                                   size=3, created_at=T0, expires_at=T0 + timedelta(days=1)))
        (tmp_path / "blobs" / "uploads").mkdir(parents=True, exist_ok=True)
        (tmp_path / "blobs" / "uploads" / upload_id).write_bytes(b"png")
    store.mark_uploads_attached(["kept" * 6], ticket=10001)

    early = CliRunner().invoke(main, ["uploads-clean", "--now", "2026-11-27T09:29"])
    assert early.exit_code == 0 and early.output == "0 expired uploads removed\n"
    result = CliRunner().invoke(main, ["uploads-clean", "--now", "2026-11-27T09:30"])
    assert result.exit_code == 0, result.output
    assert result.output == "1 expired upload removed\n"
    assert store.get_upload("left" * 6) is None
    assert not (tmp_path / "blobs" / "uploads" / ("left" * 6)).exists()
    assert store.get_upload("kept" * 6).attached
