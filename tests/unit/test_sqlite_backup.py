"""`loket backup`: a copy of the SQLite store taken while another thread keeps
submitting tickets is whole, holds every ticket committed before it began, and serves."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from loket.blobs.folder import FolderBlobs
from loket.cli import main
from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.mail.outbox import OutboxMailer
from loket.services.context import Services
from loket.settings import Settings
from loket.storage.sqlite import SQLiteStore
from loket.storage.sqlite_backup import BackupRefused, backup_sqlite
from loket.web.app import create_app
from tests.contract.test_store_contract import new_ticket
from tests.paths import SITE_CONFIG


class Submitter(threading.Thread):
    """Submits tickets one by one; `step()` waits until one more has been committed,
    so the test decides exactly when writes happen during the backup (no sleeps)."""

    def __init__(self, store: SQLiteStore):
        super().__init__(daemon=True)
        self.store, self.numbers = store, []
        self.wanted, self.done = threading.Semaphore(0), threading.Semaphore(0)
        self.stopped = False

    def run(self) -> None:
        while True:
            self.wanted.acquire()
            if self.stopped:
                return
            ticket, _ = self.store.create_ticket(new_ticket(f"Ticket {len(self.numbers)}"))
            self.numbers.append(ticket.number)
            self.done.release()

    def step(self) -> None:
        self.wanted.release()
        assert self.done.acquire(timeout=30)

    def stop(self) -> None:
        self.stopped = True
        self.wanted.release()
        self.join(timeout=30)


@pytest.fixture
def busy_store(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    submitter = Submitter(store)
    submitter.start()
    for _ in range(150):  # Enough pages that the copy takes many steps.
        submitter.step()
    yield store, submitter
    submitter.stop()


def numbers_in(path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [row[0] for row in conn.execute("SELECT number FROM tickets ORDER BY number")]
    finally:
        conn.close()


def test_backup_while_tickets_are_submitted_is_whole_and_holds_what_came_before(
        busy_store, tmp_path):
    store, submitter = busy_store
    before = list(submitter.numbers)
    steps = []

    def write_during_step(status, remaining, total):
        steps.append(remaining)
        # A ticket is committed between steps of the copy (the first 40: a copy that
        # restarted on every write would otherwise never end).
        if len(steps) <= 40:
            submitter.step()

    report = backup_sqlite(store.path, tmp_path / "copy.db", pages=2,
                           progress=write_during_step)
    assert len(steps) > 10, "the copy should take many steps"
    assert len(submitter.numbers) > len(before) + 10  # the store went on taking tickets
    copied = numbers_in(tmp_path / "copy.db")
    # Exactly the store as it was when the backup began: all before, nothing half.
    assert copied == before
    assert report.tickets == len(before) and report.size == (tmp_path / "copy.db").stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".copy", "copy"))) \
        == ["copy.db"]  # no partial file or journal left behind


def test_a_restored_copy_serves_its_tickets_and_numbers_on(busy_store, tmp_path):
    store, submitter = busy_store
    backup_sqlite(store.path, tmp_path / "copy.db")
    restored = tmp_path / "restored" / "loket.db"
    restored.parent.mkdir()
    restored.write_bytes((tmp_path / "copy.db").read_bytes())
    services = Services(config=load_portal_config(SITE_CONFIG), store=SQLiteStore(restored),
                        mail=OutboxMailer(tmp_path / "outbox"),
                        clock=FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)),
                        base_url="http://portal.test", mail_from="Support <s@example.com>",
                        blobs=FolderBlobs(tmp_path / "blobs", secret_key="test-secret"))
    client = create_app(Settings(site_dir=tmp_path / "no-site", config_dir=SITE_CONFIG),
                        services=services).test_client()
    last = submitter.numbers[-1]
    [key] = sqlite3.connect(restored).execute(
        "SELECT access_key FROM tickets WHERE number = ?", (last,)).fetchone()
    looked_up = client.get(f"/api/tickets/{last}?token={key}")
    assert looked_up.status_code == 200
    assert looked_up.get_json()["subject"] == f"Ticket {len(submitter.numbers) - 1}"
    receipt = client.post("/api/tickets", json={
        "email": "ann@example.com", "product": "planner", "type": "problem-report",
        "subject": "After the restore", "description": "Numbers go on."})
    assert receipt.status_code == 201, receipt.get_data(as_text=True)
    assert receipt.get_json()["number"] == last + 1


def test_backup_refuses_to_overwrite_unless_forced(tmp_path):
    store = SQLiteStore(tmp_path / "loket.db")
    store.create_ticket(new_ticket())
    (tmp_path / "copy.db").write_bytes(b"an older backup")
    with pytest.raises(BackupRefused, match="exists already"):
        backup_sqlite(store.path, tmp_path / "copy.db")
    assert (tmp_path / "copy.db").read_bytes() == b"an older backup"
    assert backup_sqlite(store.path, tmp_path / "copy.db", force=True).tickets == 1
    assert numbers_in(tmp_path / "copy.db") == [10001]


def test_cli_prints_size_and_tickets_and_refuses_an_existing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LOKET_SQLITE_PATH", str(tmp_path / "loket.db"))
    monkeypatch.setenv("LOKET_CONFIG_DIR", str(SITE_CONFIG))
    store = SQLiteStore(tmp_path / "loket.db")
    store.create_ticket(new_ticket())
    store.create_ticket(new_ticket())
    target = tmp_path / "backups" / "loket.db"
    result = CliRunner().invoke(main, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{target}: {target.stat().st_size:,} bytes, 2 tickets\n"
    again = CliRunner().invoke(main, ["backup", str(target)])
    assert again.exit_code == 1 and "exists already (use --force" in again.output
    assert CliRunner().invoke(main, ["backup", "--force", str(target)]).exit_code == 0


def test_cli_on_dynamodb_points_to_point_in_time_recovery(tmp_path, monkeypatch):
    monkeypatch.setenv("LOKET_STORE", "dynamodb")
    monkeypatch.setenv("LOKET_DYNAMODB_TABLE", "loket-prod")
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 1 and result.exception is not None
    assert "Traceback" not in result.output
    assert "point-in-time recovery" in result.output and "'loket-prod'" in result.output
    assert "restore-table-to-point-in-time" in result.output
    assert not (tmp_path / "copy.db").exists()


def test_restore_checks_the_copy_and_keeps_the_replaced_store(tmp_path, monkeypatch):
    monkeypatch.setenv("LOKET_SQLITE_PATH", str(tmp_path / "var" / "loket.db"))
    store = SQLiteStore(tmp_path / "var" / "loket.db")
    store.create_ticket(new_ticket("Kept in the backup"))
    backup_sqlite(store.path, tmp_path / "copy.db")
    store.create_ticket(new_ticket("After the backup"))
    store.close()
    (tmp_path / "broken.db").write_bytes(b"not a database at all" * 100)

    unconfirmed = CliRunner().invoke(main, ["restore", str(tmp_path / "copy.db")], input="n\n")
    assert unconfirmed.exit_code == 1 and numbers_in(store.path) == [10001, 10002]
    broken = CliRunner().invoke(main, ["restore", "--yes", str(tmp_path / "broken.db")])
    assert broken.exit_code == 1 and "not a SQLite store" in broken.output
    assert numbers_in(store.path) == [10001, 10002]  # nothing changed

    result = CliRunner().invoke(main, ["restore", "--yes", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    assert numbers_in(store.path) == [10001]
    [aside] = (tmp_path / "var").glob("replaced-*")
    assert numbers_in(aside / "loket.db") == [10001, 10002]
    assert str(aside) in result.output
    reopened = SQLiteStore(store.path)
    assert reopened.create_ticket(new_ticket())[0].number == 10002
