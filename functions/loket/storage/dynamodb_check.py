"""Is a DynamoDB table fit to be Loket's store? What a point-in-time restore leaves out.

A restore (README.md, "DynamoDB: point-in-time recovery") copies the keys, indexes and
items, but not the TTL setting, point-in-time recovery or deletion protection; before
the stack is pointed at such a table (serverless.yml's `table` param), each of them is
checked here, and the keys and indexes against dynamodb_table.yml, the one source.
"""

from __future__ import annotations

from dataclasses import dataclass

from loket.storage.dynamodb import table_schema

TTL_ATTRIBUTE = "expires_at"


@dataclass(frozen=True)
class Finding:
    what: str
    ok: bool
    detail: str  # what is wrong and the command that puts it right, or what was seen


def check_table(client, table: str) -> list[Finding]:
    """One finding per requirement; the table must exist (ResourceNotFoundException)."""
    description = client.describe_table(TableName=table)["Table"]
    return [*_schema_findings(description), _ttl_finding(client, table),
            _pitr_finding(client, table), _protection_finding(description, table)]


def _schema_findings(description: dict) -> list[Finding]:
    schema = table_schema()
    keys_ok = description["KeySchema"] == schema["KeySchema"]
    found = {i["IndexName"]: (i["KeySchema"], i["Projection"])
             for i in description.get("GlobalSecondaryIndexes", [])}
    wanted = {i["IndexName"]: (i["KeySchema"], i["Projection"])
              for i in schema["GlobalSecondaryIndexes"]}
    wrong = sorted(name for name, spec in wanted.items() if found.get(name) != spec)
    return [
        Finding("key schema", keys_ok, "pk, sk" if keys_ok else
                f"{description['KeySchema']} is not storage/dynamodb_table.yml's"),
        Finding("indexes", not wrong, ", ".join(sorted(wanted)) if not wrong else
                f"missing or different: {', '.join(wrong)} (storage/dynamodb_table.yml)"),
    ]


def _ttl_finding(client, table: str) -> Finding:
    ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    ok = ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and \
        ttl.get("AttributeName") == TTL_ATTRIBUTE
    return Finding("time to live", ok, f"on {TTL_ATTRIBUTE}" if ok else (
        f"aws dynamodb update-time-to-live --table-name {table} "
        f"--time-to-live-specification Enabled=true,AttributeName={TTL_ATTRIBUTE}"))


def _pitr_finding(client, table: str) -> Finding:
    backups = client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    status = backups.get("PointInTimeRecoveryDescription", {}).get(
        "PointInTimeRecoveryStatus")
    ok = status == "ENABLED"
    return Finding("point-in-time recovery", ok, "on" if ok else (
        f"aws dynamodb update-continuous-backups --table-name {table} "
        "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true"))


def _protection_finding(description: dict, table: str) -> Finding:
    ok = description.get("DeletionProtectionEnabled") is True
    return Finding("deletion protection", ok, "on" if ok else (
        f"aws dynamodb update-table --table-name {table} --deletion-protection-enabled"))
