"""DynamoDB capacity per HTTP operation, global secondary indexes included.

The `http` handler runs against moto; every DynamoDB request any client makes is seen
on its way out, with the items it writes as they were before and are after (read from
the table without being counted). From those the units on-demand billing charges are
worked out the way DynamoDB's documentation states them:

* write: 1 WCU per started KB of the larger of the old and the new item, twice that in
  a transaction; a failed conditional write still costs its units;
* GSI: a write that puts an item into an index, changes it there or takes it out costs
  the index 1 WCU per started KB of that index entry (projection ALL: the whole item),
  2 writes when the index keys change; GSI writes are never transactional;
* read: 1 RCU per started 4 KB read, consistent (as the store reads), doubled in a
  transaction; a Query is charged for what it reads before a FilterExpression, which
  moto does not tell, so the figure counts the items it returns (a floor).

Prints a table for storage/dynamodb.md and the README's cost section (`--items`: every
item written, its size and the indexes it touched). Run: `make bench`.
"""

from __future__ import annotations

import base64
import json
import math
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TABLE = "loket-units"
REGION = "eu-west-1"
WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
TICKET = {"email": "ann@example.com", "product": "planner", "type": "incident",
          "subject": "Planner is down for all users",
          "description": "Since 08:10 every user gets a 502 when opening the schedule."}


def value_size(value: dict) -> int:
    """Bytes DynamoDB counts for one attribute value (its documented sizing rules)."""
    (kind, raw), = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(raw) if isinstance(raw, bytes) else len(base64.b64decode(raw))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in raw.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int) -> int:
    return max(1, math.ceil(size / 4096))


def index_writes(indexes: dict[str, tuple[str, str]], before: dict | None,
                 after: dict | None) -> dict[str, int]:
    """WCUs each GSI (name -> (hash key, range key)) is charged for one item's change."""
    charged = {}
    for name, keys in indexes.items():
        was = bool(before) and all(k in before for k in keys)
        now = bool(after) and all(k in after for k in keys)
        if was and now:
            if any(before[k] != after[k] for k in keys):
                units = write_units(item_size(before)) + write_units(item_size(after))
            elif before != after:
                units = write_units(max(item_size(before), item_size(after)))
            else:
                units = 0
        elif now:
            units = write_units(item_size(after))
        elif was:
            units = write_units(item_size(before))
        else:
            units = 0
        if units:
            charged[name] = units
    return charged


@dataclass
class Cost:
    requests: Counter = field(default_factory=Counter)
    table_wcu: int = 0
    gsi_wcu: Counter = field(default_factory=Counter)
    rcu: int = 0
    # (request, pk, sk, bytes, table WCU, {index: WCU}) for every item written
    items: list = field(default_factory=list)

    def requests_text(self) -> str:
        return " + ".join(f"{n} {op}" if n > 1 else op for op, n in self.requests.items())


class Meter:
    """Wraps botocore's BaseClient._make_api_call: every DynamoDB request is charged."""

    def __init__(self):
        self.cost = Cost()
        self.indexes: dict[str, tuple[str, str]] | None = None

    def install(self):
        import botocore.client

        real = botocore.client.BaseClient._make_api_call
        meter = self

        def metered(client, operation, params):
            if client.meta.service_model.service_name != "dynamodb" or operation == "DescribeTable":
                return real(client, operation, params)
            return meter.charge(lambda op, p: real(client, op, p), operation, params)

        botocore.client.BaseClient._make_api_call = metered

    def charge(self, call, operation: str, params: dict):
        if self.indexes is None:
            table = call("DescribeTable", {"TableName": TABLE})["Table"]
            self.indexes = {i["IndexName"]: tuple(k["AttributeName"] for k in i["KeySchema"])
                            for i in table.get("GlobalSecondaryIndexes", [])}
        self.cost.requests[operation] += 1
        written = _keys_written(operation, params)
        before = [_read(call, table, key) for table, key in written]
        try:
            result = call(operation, params)
        except Exception:
            result = None  # a cancelled or failed conditional write is charged all the same
            raise
        finally:
            after = [_read(call, table, key) for table, key in written]
            self._charge_writes(operation, before, after)
            self._charge_reads(operation, params, result)
        return result

    def _charge_writes(self, operation, before, after):
        factor = 2 if operation == "TransactWriteItems" else 1
        for old, new in zip(before, after):
            size = max(item_size(old), item_size(new))
            units, indexes = factor * write_units(size), index_writes(self.indexes, old, new)
            self.cost.table_wcu += units
            self.cost.gsi_wcu.update(indexes)
            key = new or old or {}
            self.cost.items.append((operation, key.get("pk", {}).get("S", "?"),
                                    key.get("sk", {}).get("S", "?"), size, units, indexes))

    def _charge_reads(self, operation, params, result):
        if result is None:
            return
        if operation == "GetItem":
            self.cost.rcu += read_units(item_size(result.get("Item")))
        elif operation in ("Query", "Scan"):
            self.cost.rcu += read_units(sum(item_size(i) for i in result.get("Items", [])))
        elif operation == "TransactGetItems":
            self.cost.rcu += sum(2 * read_units(item_size(r.get("Item")))
                                 for r in result.get("Responses", []))
        elif operation == "BatchGetItem":
            self.cost.rcu += sum(read_units(item_size(i))
                                 for items in result.get("Responses", {}).values() for i in items)


def _keys_written(operation: str, params: dict) -> list[tuple[str, dict]]:
    def key_of(entry):
        return entry.get("Key") or {k: entry["Item"][k] for k in ("pk", "sk")}

    if operation in WRITES:
        return [(params["TableName"], key_of(params))]
    if operation == "TransactWriteItems":
        return [(entry["TableName"], key_of(entry))
                for item in params["TransactItems"] for kind, entry in item.items()
                if kind != "ConditionCheck"]
    if operation == "BatchWriteItem":
        return [(table, key_of(r.get("PutRequest") or r["DeleteRequest"]))
                for table, requests in params["RequestItems"].items() for r in requests]
    return []


def _read(call, table: str, key: dict) -> dict | None:
    return call("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}).get("Item")


def operations():
    """(name, function) pairs run in order through the http handler; each returns what
    the next ones need."""
    from tests.aws.conftest import http_event

    from loket.handlers import http

    state = {}

    def invoke(*args, **kwargs):
        response = http.handle(http_event(*args, **kwargs), None)
        assert response["statusCode"] < 300, response
        return json.loads(response["body"] or "null")

    def submit(headers=None):
        state["receipt"] = invoke("POST", "/api/tickets", body=json.dumps(TICKET),
                                  headers={"content-type": "application/json", **(headers or {})})

    def token():
        return urlencode({"token": state["receipt"]["token"]})

    def number():
        return state["receipt"]["number"]

    return [
        ("submit", submit),
        ("submit with Idempotency-Key", lambda: submit({"idempotency-key": "units-1"})),
        ("retry, same Idempotency-Key", lambda: submit({"idempotency-key": "units-1"})),
        ("look-up", lambda: invoke("GET", f"/api/tickets/{number()}", query=token())),
        ("reply", lambda: invoke("POST", f"/api/tickets/{number()}/messages", query=token(),
                                 body=json.dumps({"body": "It happens on every computer."}),
                                 headers={"content-type": "application/json"})),
        ("close (customer)", lambda: invoke("POST", f"/api/tickets/{number()}/close",
                                            query=token())),
        ("sweep (nothing due)", sweep),
        ("dispatcher: the 3 queued e-mails", dispatch),
    ]


def dispatch():
    from loket.services.mail_dispatch import send_queued
    from loket.settings import Settings
    from loket.wiring import build_services

    report = send_queued(build_services(Settings()))
    assert report.sent == 3, report.summary()


def sweep():
    from loket.handlers import sweep as handler

    handler.handle({"version": "0", "id": "1", "detail-type": "Scheduled Event",
                    "source": "aws.events", "account": "123456789012",
                    "time": "2026-11-26T09:00:00Z", "region": REGION, "resources": [],
                    "detail": {}}, None)


def main() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "functions")]
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": REGION})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    with mock_aws():
        import boto3

        from loket.storage.dynamodb import create_table

        create_table(boto3.client("dynamodb", region_name=REGION), TABLE)
        boto3.client("ses", region_name=REGION).verify_email_identity(
            EmailAddress="support@nordwind.example")
        os.environ.update({
            "LOKET_STORE": "dynamodb", "LOKET_DYNAMODB_TABLE": TABLE, "LOKET_MAIL": "ses",
            "LOKET_AWS_REGION": REGION, "LOKET_CONFIG_DIR": str(ROOT / "site_config"),
            "LOKET_BASE_URL": "https://support.nordwind.example",
            "LOKET_SITE_DIR": "/nonexistent/site", "LOKET_SECRET_KEY": "bench"})
        meter = Meter()
        meter.install()
        print("DynamoDB capacity per operation through the http handler (moto); "
              "WCU/RCU as on-demand bills them")
        print(f"{'operation':<30} {'requests':<48} {'table WCU':>9} {'GSI WCU':>8} "
              f"{'by index':<22} {'RCU':>4}")
        for name, run in operations():
            meter.cost = Cost()
            run()
            cost = meter.cost
            by_index = ", ".join(f"{k} {v}" for k, v in sorted(cost.gsi_wcu.items())) or "-"
            print(f"{name:<30} {cost.requests_text():<48} {cost.table_wcu:>9} "
                  f"{sum(cost.gsi_wcu.values()):>8} {by_index:<22} {cost.rcu:>4}")
            if "--items" in sys.argv:
                for request, pk, sk, size, units, indexes in cost.items:
                    touched = ", ".join(f"{k} {v}" for k, v in sorted(indexes.items())) or "-"
                    print(f"    {request:<18} {pk[:28]:<28} {sk[:24]:<24} {size:>6} B "
                          f"{units:>3} WCU  GSI: {touched}")


if __name__ == "__main__":
    main()
