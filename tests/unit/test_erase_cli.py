"""`loket accounts erase ADDRESS` as an operator runs it (SQLite, settings from LOKET_*)."""

from __future__ import annotations

from click.testing import CliRunner

from loket.blobs.folder import FolderBlobs
from loket.cli import main
from loket.storage.sqlite import SQLiteStore
from tests.paths import SITE_CONFIG
from tests.sample_data import PERSON, fill


def test_erase_asks_first_then_says_what_went(tmp_path, monkeypatch):
    monkeypatch.setenv("LOKET_SQLITE_PATH", str(tmp_path / "loket.db"))
    monkeypatch.setenv("LOKET_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setenv("LOKET_CONFIG_DIR", str(SITE_CONFIG))
    store = SQLiteStore(tmp_path / "loket.db")
    made = fill(store, FolderBlobs(tmp_path / "blobs", secret_key="test"))
    unconfirmed = CliRunner().invoke(main, ["accounts", "erase", PERSON], input="n\n")
    assert unconfirmed.exit_code != 0 and store.get_account(PERSON) is not None
    result = CliRunner().invoke(main, ["accounts", "erase", "--yes", "--messages", PERSON])
    assert result.exit_code == 0, result.output
    assert f"{PERSON}: removed accounts 1" in result.output and "3 files" in result.output
    assert store.get_account(PERSON) is None
    placeholder = store.get_ticket(made["mine"].number).email
    assert placeholder.startswith("erased-") and placeholder in result.output
