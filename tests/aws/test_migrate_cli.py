"""`loket export`, `loket import` and `loket migrate --to dynamodb` as an operator runs
them: settings from LOKET_* variables, DynamoDB and S3 under moto."""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner

from loket.blobs.folder import FolderBlobs
from loket.cli import main
from loket.services.migrate import estimate, item_size
from loket.storage.data_port import data_port
from loket.storage.dynamodb import DynamoDBStore
from loket.storage.sqlite import SQLiteStore
from tests.paths import SITE_CONFIG
from tests.sample_data import PERSON, fill
from tests.stores import AWS_REGION, store_sandbox

BUCKET = "loket-migrate-test"


@pytest.fixture
def local(tmp_path, monkeypatch):
    """A filled local store and blob folder, named by the settings."""
    monkeypatch.setenv("LOKET_STORE", "sqlite")
    monkeypatch.setenv("LOKET_SQLITE_PATH", str(tmp_path / "var" / "loket.db"))
    monkeypatch.setenv("LOKET_BLOB_DIR", str(tmp_path / "var" / "blobs"))
    monkeypatch.setenv("LOKET_CONFIG_DIR", str(SITE_CONFIG))
    store = SQLiteStore(tmp_path / "var" / "loket.db")
    blobs = FolderBlobs(tmp_path / "var" / "blobs", secret_key="test")
    fill(store, blobs)
    return store, blobs


@pytest.fixture
def aws(monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        monkeypatch.setenv("LOKET_AWS_REGION", AWS_REGION)
        boto3.client("s3", region_name=AWS_REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
        yield


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result


def test_the_dry_run_counts_and_prices_and_writes_nothing(local, aws):
    result = run("migrate", "--to", "dynamodb", "--table", "loket-new", "--bucket", BUCKET,
                 "--dry-run")
    assert result.exit_code == 0, result.output
    assert "tickets 2" in result.output and "accounts 2" in result.output
    units = estimate(data_port(local[0]), local[1]).write_units
    assert f"write units: {units} " in result.output
    assert "would copy 3 blobs" in result.output
    assert "loket-new" not in boto3.client("dynamodb").list_tables()["TableNames"]


def test_migrate_makes_the_table_copies_everything_and_checks(local, aws, tmp_path):
    result = run("migrate", "--to", "dynamodb", "--table", "loket-new", "--bucket", BUCKET,
                 "--work-dir", str(tmp_path / "work"))
    assert result.exit_code == 0, result.output
    assert "created table loket-new" in result.output
    assert "check: the table's export has the same counts and digests" in result.output
    table = DynamoDBStore("loket-new", region=AWS_REGION)
    mine, _ = local
    for number in (10001, 10002):
        assert table.get_ticket(number) == mine.get_ticket(number)
        assert table.list_messages(number) == mine.list_messages(number)
    assert table.get_account(PERSON).password_hash is None  # secrets stay behind
    s3 = boto3.client("s3", region_name=AWS_REGION)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {"attachments/" + "f" * 22, "thumbnails/" + "f" * 22 + ".png",
                    "refused/r1.eml"}
    # Run again (say, after a crash): it goes on from the kept export, nothing doubles.
    again = run("migrate", "--to", "dynamodb", "--table", "loket-new", "--bucket", BUCKET,
                "--work-dir", str(tmp_path / "work"))
    assert again.exit_code == 0, again.output
    assert "created table" not in again.output and "check: the table's" in again.output


def test_migrate_refuses_a_table_with_other_data(local, aws, tmp_path):
    from tests.contract.test_store_contract import new_ticket
    from tests.stores import make_store

    make_store("dynamodb", tmp_path).create_ticket(new_ticket())  # table loket-test
    result = run("migrate", "--to", "dynamodb", "--table", "loket-test", "--bucket", BUCKET)
    assert result.exit_code != 0 and "--merge" in result.output


def test_migrate_names_a_missing_bucket(local, aws):
    result = run("migrate", "--to", "dynamodb", "--table", "t", "--bucket", "no-such-bucket")
    assert result.exit_code != 0 and "--bucket no-such-bucket" in result.output


def test_export_and_import_commands_move_a_store(local, tmp_path, monkeypatch):
    result = run("export", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "tickets 2" in result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["files"]["tickets.jsonl"]["count"] == 2
    refused = run("import", str(tmp_path / "out"))  # into the same, full store
    assert refused.exit_code != 0 and "--merge" in refused.output
    monkeypatch.setenv("LOKET_SQLITE_PATH", str(tmp_path / "new" / "loket.db"))
    monkeypatch.setenv("LOKET_BLOB_DIR", str(tmp_path / "new" / "blobs"))
    result = run("import", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "tickets 2 of 2" in result.output and "blobs 3 of 3" in result.output
    assert SQLiteStore(tmp_path / "new" / "loket.db").get_ticket(10001) is not None


def test_item_sizes_follow_dynamodb_rules():
    assert item_size({"pk": "TICKET#1"}) == 2 + 8
    assert item_size({"n": 12345}) == 1 + 1 + 3
    assert item_size({"m": {"a": "xy"}, "l": [True]}) == 1 + (3 + 1 + 1 + 2) + 1 + (3 + 1 + 1)


def test_export_from_dynamodb_says_it_scans_and_import_goes_on_after_a_crash(
        local, aws, tmp_path, monkeypatch):
    assert run("export", str(tmp_path / "out")).exit_code == 0
    monkeypatch.setenv("LOKET_STORE", "dynamodb")
    monkeypatch.setenv("LOKET_DYNAMODB_TABLE", "loket-cli")
    monkeypatch.setenv("LOKET_BLOBS", "s3")
    monkeypatch.setenv("LOKET_ATTACHMENTS_BUCKET", BUCKET)
    from loket.storage.dynamodb import create_table

    create_table(boto3.client("dynamodb", region_name=AWS_REGION), "loket-cli")
    # A crash after the first tickets: the same import run again finishes the job.
    table = DynamoDBStore("loket-cli", region=AWS_REGION)
    first = json.loads((tmp_path / "out" / "tickets.jsonl").read_text().splitlines()[0])
    data_port(table).import_records("tickets", [first])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    table.add_to_counter(f"import#{manifest['id']}", 1)
    result = run("import", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "tickets 1 of 2" in result.output and "blobs 3 of 3" in result.output
    again = run("export", str(tmp_path / "back"))
    assert again.exit_code == 0, again.output
    assert "reading table loket-cli with a parallel Scan (4 segments)" in again.output
    back = json.loads((tmp_path / "back" / "manifest.json").read_text())
    assert back["files"] == manifest["files"]
