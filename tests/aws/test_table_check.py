"""`loket table-check`: a table made by a point-in-time restore (moto) lacks TTL,
point-in-time recovery and deletion protection until README.md's commands turn them on;
a table without the schema's indexes is refused too."""

from __future__ import annotations

import boto3
import pytest
from click.testing import CliRunner

from loket.cli import main
from loket.storage.dynamodb import create_table, table_schema
from tests.stores import AWS_REGION, store_sandbox

SOURCE = "loket-prod"
RESTORED = "loket-prod-restored"


@pytest.fixture
def client(monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        monkeypatch.setenv("LOKET_STORE", "dynamodb")
        monkeypatch.setenv("LOKET_AWS_REGION", AWS_REGION)
        monkeypatch.setenv("LOKET_DYNAMODB_TABLE", SOURCE)
        client = boto3.client("dynamodb", region_name=AWS_REGION)
        create_table(client, SOURCE)
        client.update_continuous_backups(TableName=SOURCE, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        client.restore_table_to_point_in_time(SourceTableName=SOURCE, TargetTableName=RESTORED,
                                              UseLatestRestorableTime=True)
        yield client


def check(*args: str):
    return CliRunner().invoke(main, ["table-check", *args])


def test_a_restored_table_lacks_what_the_restore_leaves_out(client):
    result = check(RESTORED)
    assert result.exit_code == 1, result.output
    assert "ok   key schema" in result.output and "ok   indexes" in result.output
    for off, command in (("time to live", "update-time-to-live --table-name loket-prod-restored"),
                         ("point-in-time recovery", "update-continuous-backups"),
                         ("deletion protection", "--deletion-protection-enabled")):
        line = next(x for x in result.output.splitlines() if off + ":" in x)
        assert line.startswith("OFF") and command in line, line
    assert "time to live, point-in-time recovery, deletion protection to put right" \
        in result.output


def test_after_the_readmes_commands_the_table_is_fit(client):
    client.update_time_to_live(TableName=RESTORED, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires_at"})
    client.update_continuous_backups(TableName=RESTORED, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    client.update_table(TableName=RESTORED, DeletionProtectionEnabled=True)
    result = check(RESTORED)
    assert result.exit_code == 0, result.output
    assert "OFF" not in result.output and "loket-prod-restored: fit to be the store" in result.output


def test_the_settings_table_by_default_and_ttl_on_another_attribute_is_off(client):
    client.update_time_to_live(TableName=SOURCE, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "expires_at"})
    client.update_time_to_live(TableName=SOURCE, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "ttl"})
    result = check()
    assert result.exit_code == 1
    assert "OFF  time to live" in result.output and "loket-prod:" in result.output


def test_a_table_without_an_index_of_the_schema_is_refused(client):
    schema = table_schema()
    indexes = schema["GlobalSecondaryIndexes"]
    due_keys = {"due_shard", "due_at"}
    client.create_table(TableName="loket-partial", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[a for a in schema["AttributeDefinitions"]
                                              if a["AttributeName"] not in due_keys],
                        KeySchema=schema["KeySchema"],
                        GlobalSecondaryIndexes=[i for i in indexes if i["IndexName"] != "due"])
    result = check("loket-partial")
    assert result.exit_code == 1
    assert "OFF  indexes: missing or different: due" in result.output


def test_a_missing_table_is_named(client):
    result = check("loket-nowhere")
    assert result.exit_code == 1
    assert "no table 'loket-nowhere'" in result.output
