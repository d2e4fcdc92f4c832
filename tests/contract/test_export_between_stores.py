"""SQLite -> export -> DynamoDB (moto) -> export gives the same content, and back: the
contract suite's sample data with blobs (folder -> S3), and a generated 10,000-ticket
set (slow: run by `make test` and CI, left out of `make test-fast`)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from loket.blobs.folder import FolderBlobs
from loket.services.export import export_data, import_data
from loket.storage.data_port import data_port
from tests.sample_data import fill, many_tickets
from tests.stores import AWS_REGION, make_store, store_sandbox

BUCKET = "loket-export-test"


@pytest.fixture
def aws(monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        yield


def dynamodb_with_bucket(tmp_path: Path):
    from loket.blobs.s3 import S3Blobs

    boto3.client("s3", region_name=AWS_REGION).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
    return make_store("dynamodb", tmp_path), S3Blobs(BUCKET, region=AWS_REGION)


def content(folder: Path) -> dict[str, object]:
    """Every file's lines, sorted (a Scan has no order), and every blob's bytes."""
    found: dict[str, object] = {p.name: sorted(p.read_text().splitlines())
                                for p in folder.glob("*.jsonl")}
    found.update({str(p.relative_to(folder)): p.read_bytes()
                  for p in (folder / "blobs").rglob("*") if p.is_file()})
    return found


def round_trip(sqlite, folder_blobs, tmp_path: Path):
    first = export_data(data_port(sqlite), folder_blobs, tmp_path / "from-sqlite",
                        source="sqlite")
    dynamodb, s3 = dynamodb_with_bucket(tmp_path)
    import_data(dynamodb, data_port(dynamodb), s3, tmp_path / "from-sqlite")
    second = export_data(data_port(dynamodb), s3, tmp_path / "from-dynamodb",
                         source="dynamodb")
    assert second.files == first.files
    assert content(tmp_path / "from-dynamodb") == content(tmp_path / "from-sqlite")
    return first


def test_sqlite_to_dynamodb_and_back_keeps_everything(aws, tmp_path):
    sqlite = make_store("sqlite", tmp_path)
    blobs = FolderBlobs(tmp_path / "blobs", secret_key="test")
    fill(sqlite, blobs)
    first = round_trip(sqlite, blobs, tmp_path)
    assert first.files["blobs.jsonl"]["count"] == 3
    (tmp_path / "back").mkdir()
    back = make_store("sqlite", tmp_path / "back")
    back_blobs = FolderBlobs(tmp_path / "back" / "blobs", secret_key="test")
    import_data(back, data_port(back), back_blobs, tmp_path / "from-dynamodb")
    third = export_data(data_port(back), back_blobs, tmp_path / "again", source="sqlite")
    assert third.files == first.files
    assert content(tmp_path / "again") == content(tmp_path / "from-sqlite")


@pytest.mark.slow
def test_ten_thousand_tickets_make_the_round_trip(aws, tmp_path):
    sqlite = make_store("sqlite", tmp_path)
    blobs = FolderBlobs(tmp_path / "blobs", secret_key="test")
    fill(sqlite, blobs)
    many_tickets(sqlite, 10_000)
    first = round_trip(sqlite, blobs, tmp_path)
    assert first.files["tickets.jsonl"]["count"] == 10_002
