"""DynamoDBStore's side of `loket export` / `loket import` (services/export.py).

Export: sent mail, suppressions, counters and idempotency keys are on no index, so the
export reads the table with one parallel Scan (TotalSegments segments at once; the
command says so), and groups each ticket's items (ticket, messages, rating) in a
temporary file on disk. Import: BatchWriteItem, 25 items a request, after a BatchGetItem that
finds which records the table holds already (those are kept as they are). A ticket's
messages are written before the ticket item, so a ticket is only ever found whole, and
an interrupted import run again rewrites the same keys: nothing doubles.
The behaviour is defined by tests/contract/test_export_contract.py."""

from __future__ import annotations

import hashlib
import itertools
import json
import queue
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

from botocore.exceptions import ClientError

from loket.domain.outgoing import address_key
from loket.storage.account_records import (account_from_record, account_to_record,
                                           organization_from_record, organization_to_record,
                                           rating_from_record, rating_to_record)
from loket.storage.dynamodb import (COUNTER_KEY, MESSAGE_PREFIX, _from_item,
                                    _idempotency_key, _message_sk, _ticket_item, _ticket_pk,
                                    _to_item, _upload_from_item, _upload_item)
from loket.storage.dynamodb_accounts import _account_item, _org_item
from loket.storage.dynamodb_conditions import cancelled_by_condition, lost_condition
from loket.storage.dynamodb_desk import words_write
from loket.storage.dynamodb_events import EVENT_PREFIX, event_item
from loket.storage.event_records import event_from_record, event_to_record
from loket.storage.dynamodb_known_issues import link_item
from loket.storage.dynamodb_mail import _suppression_key, mail_item, suppression_item
from loket.storage.dynamodb_mail_in import (MESSAGE_KEY_PREFIX, _refused_from_item,
                                            _refused_item)
from loket.storage.mail_records import (lift_from_record, lift_to_record, mail_from_record,
                                        mail_to_record, suppression_from_record,
                                        suppression_to_record)
from loket.storage.records import (message_from_record, message_to_record,
                                   ticket_from_record, ticket_to_record, upload_from_record,
                                   upload_to_record)
from loket.storage.refused_records import refused_from_record, refused_to_record
from loket.storage.sqlite_export import PRIVATE_COUNTER_PREFIX, TICKET_COUNTER

SCAN_SEGMENTS = 4
BATCH_WRITE = 25     # BatchWriteItem's limit
BATCH_GET = 100      # BatchGetItem's limit


class DynamoDBExport:
    """The DataPort (ports.py) of one DynamoDBStore, over its client and table."""

    def __init__(self, store, *, scan_segments: int = SCAN_SEGMENTS):
        self.store = store
        self.table_name = store.table_name
        self.scan_segments = scan_segments

    @property
    def client(self):
        return self.store.client

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, record) for everything worth keeping. One parallel Scan reads the
        table; items that stand alone (accounts, mail, ...) go out as they come, the
        parts of ticket partitions (ticket, messages, rating) are set aside in a
        temporary SQLite file on disk and come out grouped, a ticket at a time, when the
        Scan is done: memory holds a few pages whatever the table's size, and no ticket
        costs a Query of its own."""
        with tempfile.TemporaryDirectory(prefix="loket-export-") as folder:
            parts = _Parts(Path(folder) / "parts.db")
            try:
                for item in self._scan():
                    if item["pk"]["S"].startswith(TICKET_PREFIX):
                        parts.add(item)
                        continue
                    entry = _export_entry(_from_item(item))
                    if entry is not None:
                        yield entry
                lines = filter(None, map(_ticket_line, parts.partitions()))
                for chunk in _chunks(lines, BATCH_GET):
                    for line in self._as_now(chunk):
                        yield "tickets", line
            finally:
                parts.close()

    def _as_now(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The lines, each ticket changed since the Scan read it (another version now)
        read again, whole, with one Query: the export is not a snapshot, but no ticket
        in it is older than the Scan's end. One BatchGetItem of versions per 100."""
        keys = [{"pk": _ticket_pk(int(line["ticket"]["number"])), "sk": "TICKET"}
                for line in lines]
        now = self._versions(keys)
        return [line if now.get(_ticket_pk(int(line["ticket"]["number"])))
                == int(line["ticket"]["version"]) else self._read_again(line)
                for line in lines]

    def _versions(self, keys: list[dict[str, str]]) -> dict[str, int]:
        found: dict[str, int] = {}
        request = {self.table_name: {"Keys": [_to_item(k) for k in keys],
                                     "ConsistentRead": True,
                                     "ProjectionExpression": "pk, version"}}
        while request:
            response = self.client.batch_get_item(RequestItems=request)
            for item in map(_from_item, response["Responses"].get(self.table_name, ())):
                found[item["pk"]] = int(item["version"])
            request = response.get("UnprocessedKeys") or None
            if request:
                time.sleep(0.05)
        return found

    def _read_again(self, line: dict[str, Any]) -> dict[str, Any]:
        pk = _ticket_pk(int(line["ticket"]["number"]))
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=_to_item({":pk": pk}))
        again = _ticket_line([_from_item(item) for page in pages for item in page["Items"]])
        return again or line

    def _scan(self) -> Iterator[dict[str, Any]]:
        """The table's items (low-level form), segments read by threads into a short
        queue."""
        found: queue.Queue = queue.Queue(maxsize=4)
        threads = [threading.Thread(target=self._scan_segment, args=(segment, found),
                                    daemon=True) for segment in range(self.scan_segments)]
        for thread in threads:
            thread.start()
        running = len(threads)
        while running:
            page = found.get()
            if page is None:
                running -= 1
            elif isinstance(page, BaseException):
                raise page
            else:
                yield from page

    def _scan_segment(self, segment: int, found: queue.Queue) -> None:
        try:
            pages = self.client.get_paginator("scan").paginate(
                TableName=self.table_name, Segment=segment,
                TotalSegments=self.scan_segments, ConsistentRead=True)
            for page in pages:
                found.put(page.get("Items", []))
            found.put(None)
        except BaseException as error:  # Handed to the reader, which raises it.
            found.put(error)

    def holds_data(self) -> bool:
        """True when the table has any item an import could collide with: Scan pages
        until the first (on a table in use, the first page), sessions and counters
        passed over."""
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table_name, ProjectionExpression="pk",
            FilterExpression="sk IN (:ticket, :account, :org, :mail, :refused)",
            ExpressionAttributeValues=_to_item({":ticket": "TICKET", ":account": "ACCOUNT",
                                                ":org": "ORG", ":mail": "MAIL",
                                                ":refused": "REFUSED"}))
        return any(page.get("Items") for page in pages)

    def import_records(self, kind: str, records: Sequence[dict[str, Any]]) -> int:
        """Write the records the table does not hold yet; return how many."""
        if kind == "counters":
            return sum(self._import_counter(record) for record in records)
        planned = [dynamodb_items(kind, record) for record in records]
        stored = self._stored_keys([key for key, _ in planned])
        new = [items for key, items in planned if _key_id(key) not in stored]
        # Every part of every new record first, their main items (the ticket) last.
        self._batch_write([item for items in new for item in items[:-1]])
        self._batch_write([items[-1] for items in new])
        if kind == "tickets" and new:
            self._raise_ticket_counter(max(int(items[-1]["number"]) for items in new))
        return len(new)

    def _import_counter(self, record: dict[str, Any]) -> int:
        if record["name"] == TICKET_COUNTER:
            return self._raise_ticket_counter(int(record["value"]))
        try:
            self.client.put_item(
                TableName=self.table_name, ConditionExpression="attribute_not_exists(pk)",
                Item=_to_item({"pk": f"COUNTER#{record['name']}", "sk": "COUNTER",
                               "value": int(record["value"])}))
        except ClientError as error:
            if lost_condition(error):
                return 0
            raise
        return 1

    def _raise_ticket_counter(self, value: int) -> int:
        """Numbers go on after the highest imported; a higher counter stays."""
        try:
            self.client.update_item(
                TableName=self.table_name, Key=_to_item(COUNTER_KEY),
                UpdateExpression="SET #value = :value",
                ConditionExpression="attribute_not_exists(#value) OR #value < :value",
                ExpressionAttributeNames={"#value": "value"},
                ExpressionAttributeValues=_to_item({":value": value}))
        except ClientError as error:
            if not lost_condition(error):
                raise
            return 0
        return 1

    def _stored_keys(self, keys: list[dict[str, str]]) -> set[tuple[str, str]]:
        stored: set[tuple[str, str]] = set()
        for start in range(0, len(keys), BATCH_GET):
            request = {self.table_name: {
                "Keys": [_to_item(k) for k in _unique(keys[start:start + BATCH_GET])],
                "ConsistentRead": True, "ProjectionExpression": "pk, sk"}}
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                stored.update(_key_id(_from_item(item))
                              for item in response["Responses"].get(self.table_name, ()))
                request = response.get("UnprocessedKeys") or None
                if request:
                    time.sleep(0.05)
        return stored

    def _batch_write(self, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), BATCH_WRITE):
            request = {self.table_name: [{"PutRequest": {"Item": _to_item(item)}}
                                         for item in items[start:start + BATCH_WRITE]]}
            for attempt in range(10):
                response = self.client.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or None
                if not request:
                    break
                # Throttled: botocore does not retry the unprocessed part itself.
                time.sleep(0.05 * 2 ** attempt)
            else:
                raise RuntimeError("DynamoDB kept refusing the import's writes (throttled)")


TICKET_PREFIX = "TICKET#"


class _Parts:
    """Items of ticket partitions, on disk, read back grouped by partition in key order."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("CREATE TABLE parts (pk TEXT, sk TEXT, item TEXT, "
                          "PRIMARY KEY (pk, sk)) WITHOUT ROWID")

    def add(self, item: dict[str, Any]) -> None:
        self.conn.execute("INSERT OR REPLACE INTO parts VALUES (?, ?, ?)",
                          (item["pk"]["S"], item["sk"]["S"], json.dumps(item)))

    def partitions(self) -> Iterator[list[dict[str, Any]]]:
        rows = self.conn.execute("SELECT pk, item FROM parts ORDER BY pk, sk")
        for _, group in itertools.groupby(rows, key=lambda row: row[0]):
            yield [_from_item(json.loads(item)) for _, item in group]

    def close(self) -> None:
        self.conn.close()


def _ticket_line(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A ticket's line from its partition's items (None for a partition whose ticket
    item is missing: a ticket is written last, so that is an unfinished import's)."""
    ticket, rating, messages, events = None, None, [], []
    for item in items:  # In key order: EVT#..., KEY#..., MSG#..., PRESENCE#, RATING, ...
        if item["sk"] == "TICKET":
            ticket = ticket_to_record(ticket_from_record(item))
        elif item["sk"] == "RATING":
            rating = rating_to_record(rating_from_record(item))
        elif item["sk"].startswith(MESSAGE_PREFIX):
            messages.append(message_to_record(message_from_record(item)))
        elif item["sk"].startswith(EVENT_PREFIX):
            events.append(event_to_record(event_from_record(item)))
    if ticket is None:
        return None
    return {"ticket": ticket, "messages": messages, "events": events, "rating": rating}


def _export_entry(item: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    if item["pk"].startswith(KNOWN_ISSUE_PREFIX):
        return "known_issue_links", {"issue": item["pk"].removeprefix(KNOWN_ISSUE_PREFIX),
                                     "ticket": int(item["ticket"]),
                                     "linked_at": item["linked_at"]}
    if item["sk"].startswith(LIFT_PREFIX):
        return "suppression_lifts", lift_to_record(lift_from_record(item))
    reader = _READERS.get(item["sk"])
    if reader is None:  # Sessions, one-time links, hit counters: not exported.
        return None
    record = reader(item)
    return (_KIND_OF_SK[item["sk"]], record) if record is not None else None


# -- records to items and back ---------------------------------------------------------------

def dynamodb_items(kind: str, record: dict[str, Any]) -> tuple[dict[str, str], list[dict]]:
    """The key that says a record is stored, and every item it is stored as, its main
    item last. Pure: `loket migrate --dry-run` sizes the items with it."""
    items = _ITEMS[kind](record)
    main = items[-1]
    return {"pk": main["pk"], "sk": main["sk"]}, items


def _ticket_items(line: dict[str, Any]) -> list[dict[str, Any]]:
    ticket = ticket_from_record(line["ticket"])
    pk = _ticket_pk(ticket.number)
    items = []
    for sequence, record in enumerate(line["messages"], start=1):
        message = message_from_record(record)
        items.append({"pk": pk, "sk": _message_sk(message, sequence),
                      **message_to_record(message)})
        if message.idempotency_key:
            items.append({"pk": pk, "sk": MESSAGE_KEY_PREFIX + message.idempotency_key})
    if line.get("rating"):
        rating = rating_from_record(line["rating"])
        items.append({"pk": pk, "sk": "RATING", **rating_to_record(rating)})
    items += [event_item(event_from_record(event)) for event in line.get("events") or ()]
    words = _words_item(ticket, line)
    return [*items, *([words] if words else []), _ticket_item(ticket)]


def _words_item(ticket, line: dict[str, Any]) -> dict[str, Any] | None:
    """The desk's words item (storage/dynamodb_desk.py) for the subject and every
    message, made by the same code as a save's words, as a whole item."""
    texts = [ticket.subject, *(m["body"] for m in line["messages"])]
    update = words_write("-", ticket, texts)
    if update is None:
        return None
    values = _from_item(update["Update"]["ExpressionAttributeValues"])
    return {**_from_item(update["Update"]["Key"]), "words": values[":words"],
            "words_pk": values[":pk"], "words_sk": values[":sk"]}


def _suppression_items(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [suppression_item(suppression_from_record(record))]


KNOWN_ISSUE_PREFIX = "KNOWNISSUE#"
LIFT_PREFIX = "LIFT#"


def _lift_items(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Beside the suppression, as storage/dynamodb_mail.py puts it, but with a tail made
    from the content instead of a random one: an import run again writes the same key."""
    lift = lift_to_record(lift_from_record(record))
    tail = hashlib.sha256(json.dumps(lift, sort_keys=True).encode()).hexdigest()[:8]
    return [{"pk": _suppression_key(address_key(lift["address"]))["pk"],
             "sk": f"{LIFT_PREFIX}{lift['lifted_at']}#{tail}", **lift}]


_ITEMS = {
    "tickets": _ticket_items,
    "known_issue_links": lambda r: [link_item(r["issue"], int(r["ticket"]), r["linked_at"])],
    "suppression_lifts": _lift_items,
    "idempotency_keys": lambda r: [{**_idempotency_key(r["key"]), "fingerprint": r["fingerprint"],
                                    "ticket": int(r["ticket"])}],
    "organizations": lambda r: [_org_item(organization_from_record(r))],
    "accounts": lambda r: [_account_item(account_from_record(r))],
    "counters": lambda r: [{"pk": f"COUNTER#{r['name']}", "sk": "COUNTER",
                            "value": int(r["value"])}],
    "mail": lambda r: [mail_item(mail_from_record(r))],
    "suppressions": _suppression_items,
    "refused": lambda r: [_refused_item(refused_from_record(r))],
    "uploads": lambda r: [_upload_item(upload_from_record(r))],
}

_KIND_OF_SK = {"IDEMP": "idempotency_keys", "ORG": "organizations", "ACCOUNT": "accounts",
               "COUNTER": "counters", "MAIL": "mail", "SUPPRESS": "suppressions",
               "REFUSED": "refused", "UPLOAD": "uploads"}


def _counter_record(item: dict[str, Any]) -> dict[str, Any] | None:
    name = item["pk"].removeprefix("COUNTER#")
    if name.startswith(PRIVATE_COUNTER_PREFIX):
        return None
    return {"name": name, "value": int(item["value"])}


_READERS = {
    "IDEMP": lambda i: {"key": i["pk"].removeprefix("IDEMP#"), "fingerprint": i["fingerprint"],
                        "ticket": int(i["ticket"])},
    "ORG": lambda i: organization_to_record(organization_from_record(i)),
    "ACCOUNT": lambda i: account_to_record(account_from_record(i)),
    "COUNTER": _counter_record,
    "MAIL": lambda i: mail_to_record(mail_from_record(i)),
    "SUPPRESS": lambda i: suppression_to_record(suppression_from_record(i)),
    "REFUSED": lambda i: refused_to_record(_refused_from_item(i)),
    "UPLOAD": lambda i: upload_to_record(_upload_from_item(i)),
}


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# A ticket's parts that its rewrite replaces (events are only ever overwritten).
REPLACED_PARTS = (MESSAGE_PREFIX, MESSAGE_KEY_PREFIX, "RATING", "WORDS")
TRANSACTION_ITEMS = 100         # TransactWriteItems' limit
TRANSACTION_BYTES = 3_000_000   # well within its 4 MB, however the sizes are counted


def _on_old_message_keys(items: list[dict[str, Any]],
                         old: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The items, the messages on the keys of the stored ones: the new items number
    them 1, 2, ... where a save numbered them by version, and a rewrite in place leaves
    no stale copy for a crash to keep beside the new one. The messages are the stored
    ones in key order (services/retention.py reads them so); when their number differs
    (changed meanwhile), the new keys stay and the old ones go as stale."""
    old_messages = sorted(k["sk"] for k in old if k["sk"].startswith(MESSAGE_PREFIX))
    new_messages = [i for i, item in enumerate(items) if item["sk"].startswith(MESSAGE_PREFIX)]
    if len(old_messages) != len(new_messages):
        return items
    items = list(items)
    for i, sk in zip(new_messages, old_messages):
        items[i] = {**items[i], "sk": sk}
    return items


def _size(item: dict[str, Any]) -> int:
    return len(json.dumps(item, default=str))


def _key_id(key: dict[str, Any]) -> tuple[str, str]:
    return key["pk"], key["sk"]


def _unique(keys: list[dict[str, str]]) -> list[dict[str, str]]:
    """BatchGetItem refuses a request that names one key twice."""
    return list({_key_id(k): k for k in keys}.values())


# -- erase (services/erase.py): records rewritten or removed, and what is not exported ----

class DynamoDBErase(DynamoDBExport):
    """The erase side of the DataPort: the same records, replaced or deleted by key."""

    def replace_ticket(self, line: dict[str, Any], *, expected_version: int) -> bool:
        """Retention's rewrite of one ticket's line, only while the stored ticket is at
        `expected_version` (the one the line was worked out from) and rated only if the
        line is (a rating takes no version): False, writing nothing, when a reply,
        reopen or rating came since (services/retention.py)."""
        key, items = dynamodb_items("tickets", line)
        return self._replace_ticket(key["pk"], items, expected_version=expected_version,
                                    rated=bool(line.get("rating")))

    def _replace_ticket(self, pk: str, items: list[dict[str, Any]], *,
                        expected_version: int, rated: bool) -> bool:
        """A ticket's items in place of the ones stored (retention's rewrite). A crash
        leaves each record old or new, never neither: one transaction when it fits;
        else every part over its old one in place, then what no new part replaces goes,
        then the ticket item, so a crash before that leaves the ticket as it was (still
        due: the next round does it all again over what is there). Events keep their
        keys and are overwritten: this is the one change they take. The ticket item is
        put on condition of `expected_version` (False when lost; in parts, looked at
        first too, so a changed ticket's parts are left alone)."""
        old = [part for part in self._partition_keys(pk)
               if part["sk"].startswith(REPLACED_PARTS)]
        # An event rewritten after a crash is in the line twice, as stored and as new:
        # one key, one item (the ticket's stays last).
        items = list({_key_id(item): item for item in _on_old_message_keys(items, old)}.values())
        new = {_key_id(item) for item in items}
        stale = [part for part in old if _key_id(part) not in new]
        *parts, ticket = items
        rating_key = {"pk": pk, "sk": "RATING"}
        if not rated and any(_key_id(part) == _key_id(rating_key) for part in old):
            return False  # rated since the line was read
        # The ticket item over the version read; unrated still if the line is.
        checks = [{"Put": {
            "TableName": self.table_name, "Item": _to_item(ticket),
            "ConditionExpression": "attribute_exists(pk) AND version = :expected",
            "ExpressionAttributeValues": _to_item({":expected": expected_version})}}]
        if not rated:  # A Delete that finds nothing: the sweep's role has no
            # ConditionCheckItem (serverless.yml), and DeleteItem is as good a check.
            checks.append({"Delete": {
                "TableName": self.table_name, "Key": _to_item(rating_key),
                "ConditionExpression": "attribute_not_exists(pk)"}})
        puts = [{"Put": {"TableName": self.table_name, "Item": _to_item(item)}}
                for item in parts]
        deletes = [{"Delete": {"TableName": self.table_name, "Key": _to_item(part)}}
                   for part in stale]
        fits = len(items) + len(stale) + len(checks) - 1 <= TRANSACTION_ITEMS and \
            sum(map(_size, items)) <= TRANSACTION_BYTES
        if not fits:  # In steps: looked at first, then the ticket item on condition.
            if not self._at_version(pk, expected_version):
                return False
            self._batch_write(parts)
            self._delete_keys(stale)
            puts, deletes = [], []
        try:
            self.client.transact_write_items(TransactItems=[*checks, *puts, *deletes])
        except ClientError as error:
            if cancelled_by_condition(error, 0) or cancelled_by_condition(error, 1):
                return False
            raise
        return True

    def _at_version(self, pk: str, version: int) -> bool:
        found = self.client.get_item(
            TableName=self.table_name, ConsistentRead=True,
            Key=_to_item({"pk": pk, "sk": "TICKET"})).get("Item")
        return found is not None and int(_from_item(found).get("version", -1)) == version

    def delete_records(self, kind: str, records: Sequence[dict[str, Any]]) -> None:
        if kind == "suppression_lifts":
            self._delete_keys([key for record in records for key in self._lift_keys(record)])
            return
        self._delete_keys([dynamodb_items(kind, record)[0] for record in records])

    def _lift_keys(self, record: dict[str, Any]) -> list[dict[str, str]]:
        """The keys of the items that hold this lift: its key's tail is random
        (storage/dynamodb_mail.py), so they are found by moment and content."""
        lift = lift_to_record(lift_from_record(record))
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
            ExpressionAttributeValues=_to_item({
                ":pk": _suppression_key(address_key(lift["address"]))["pk"],
                ":sk": f"{LIFT_PREFIX}{lift['lifted_at']}#"}))
        return [{"pk": item["pk"], "sk": item["sk"]}
                for item in (_from_item(i) for page in pages for i in page["Items"])
                if lift_to_record(lift_from_record(item)) == lift]

    def erase_chunk(self, eraser, cursor: str | None, *, limit: int) -> str | None:
        """One Scan page of an erasure, item by item (storage/dynamodb_erase.py)."""
        from loket.storage.dynamodb_erase import erase_page

        return erase_page(self, eraser, cursor, limit)

    def _partition_keys(self, pk: str) -> list[dict[str, str]]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, ConsistentRead=True, ProjectionExpression="pk, sk",
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=_to_item({":pk": pk}))
        return [_from_item(item) for page in pages for item in page["Items"]]

    def _delete_keys(self, keys: list[dict[str, str]]) -> None:
        keys = _unique(keys)
        for start in range(0, len(keys), BATCH_WRITE):
            request = {self.table_name: [{"DeleteRequest": {"Key": _to_item(key)}}
                                         for key in keys[start:start + BATCH_WRITE]]}
            while request:
                response = self.client.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or None
                if request:
                    time.sleep(0.05)
