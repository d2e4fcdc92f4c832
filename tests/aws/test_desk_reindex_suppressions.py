"""`loket desk-reindex --suppressions` on a DynamoDB table from before the desk's list of
suppressed addresses: a suppression item put by the code of then (no `due` keys) is
not on the list until the command gives it the keys; a second run changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from click.testing import CliRunner

from loket.cli import main
from loket.domain.outgoing import Suppression, address_key
from loket.storage.dynamodb import DynamoDBStore
from loket.storage.dynamodb_mail import _suppression_key, _to_item
from loket.storage.mail_records import suppression_to_record
from loket.storage.records import utc_iso
from tests.aws.conftest import TABLE
from tests.stores import AWS_REGION

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(aws, tmp_path, monkeypatch):
    monkeypatch.setenv("LOKET_SEARCH_INDEX", str(tmp_path / "no-index"))
    return DynamoDBStore(TABLE, region=AWS_REGION)


def put_old_suppression(address: str, hours: int) -> None:
    """The item as suppress_address wrote it before 1573bf4: no due_shard, no due_at."""
    suppression = Suppression(address=address, reason="bounce", detail="550 5.1.1 unknown",
                              created_at=T0 + timedelta(hours=hours))
    key = address_key(address)
    boto3.client("dynamodb", region_name=AWS_REGION).put_item(TableName=TABLE, Item=_to_item(
        {**_suppression_key(key), **suppression_to_record(suppression), "address": key}))


def table_items() -> list[dict]:
    pages = boto3.client("dynamodb", region_name=AWS_REGION).get_paginator("scan").paginate(
        TableName=TABLE)
    return sorted((item for page in pages for item in page["Items"]),
                  key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def reindex():
    result = CliRunner().invoke(main, ["desk-reindex", "--suppressions"])
    assert result.exit_code == 0, result.output
    return result


def listed(store) -> list[str]:
    return [s.address for s in store.list_suppressions()]


def test_old_suppressions_come_onto_the_list_once(store):
    put_old_suppression("Old@Example.com", 0)
    put_old_suppression("older@example.com", -1)
    store.suppress_address(Suppression(address="new@example.com", reason="complaint",
                                       detail="abuse", created_at=T0 + timedelta(hours=1)))
    store.lift_suppression("older@example.com", lifted_by="ops@vendor.example",
                           lifted_at=T0 + timedelta(hours=2))
    put_old_suppression("older@example.com", -1)  # suppressed again, the old way, beside its lift
    assert listed(store) == ["new@example.com"]

    first = reindex()
    assert "reading table loket-handlers-test with a Scan" in first.stderr
    assert "2 suppressions put on the desk's list" in first.stdout
    assert listed(store) == ["new@example.com", "old@example.com", "older@example.com"]
    assert store.get_suppression("OLD@example.com").created_at == T0
    lift = [i for i in table_items() if i["sk"]["S"].startswith("LIFT#")]
    assert lift and all("due_shard" not in i for i in lift)  # only suppressions get keys

    before = table_items()
    second = reindex()
    assert "0 suppressions put on the desk's list" in second.stdout
    assert table_items() == before


def test_a_suppression_changed_after_the_scan_is_left_to_that_change(store):
    put_old_suppression("bob@example.com", 0)
    seen = {"pk": "SUPPRESS#bob@example.com", "created_at": utc_iso(T0)}  # what the Scan read
    store.suppress_address(Suppression(address="bob@example.com", reason="complaint",
                                       detail="", created_at=T0 + timedelta(hours=3)))
    after_new = table_items()
    assert not store._index_suppression(seen)  # the Scan's copy is stale: no write
    assert table_items() == after_new
    store.lift_suppression("bob@example.com", lifted_by="ops@vendor.example",
                           lifted_at=T0 + timedelta(hours=4))
    assert not store._index_suppression(seen)  # lifted meanwhile: nothing comes back
    assert store.get_suppression("bob@example.com") is None
