"""The AWS store: one DynamoDB table holding every item type. See dynamodb.md beside
this file for the key schema, the item types and what each access pattern costs."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from loket.aws import LazyClient
from loket.domain.attachments import Upload
from loket.domain.errors import IdempotencyConflict, MessageAlreadyStored, VersionConflict
from loket.domain.events import TicketEvent, check_events, created_event
from loket.domain.tickets import Message, NewTicket, Ticket

if TYPE_CHECKING:
    from loket.domain.limits import HitLimit
    from loket.domain.outgoing import OutgoingMail
from loket.storage.blob_keys import keys_in_attachments, upload_final_key
from loket.storage.dynamodb_accounts import DynamoDBAccounts, ticket_index_attributes
from loket.storage.dynamodb_conditions import cancelled_by_condition, lost_condition
from loket.storage.dynamodb_desk import DynamoDBDesk, desk_index_attributes, words_write
from loket.storage.dynamodb_erase_jobs import DynamoDBEraseJobs
# Due tickets spread over a few index partitions (DUE_SHARDS); timers and retention's
# removals have shards of their own (storage/due_kinds.py).
from loket.storage.due_kinds import DUE_SHARDS, REMOVAL_SHARD, TIMER_SHARD, dynamodb_shard
from loket.storage.dynamodb_events import DynamoDBEvents, event_item
from loket.storage.dynamodb_known_issues import DynamoDBKnownIssues
from loket.storage.dynamodb_limits import hit_updates, raise_if_over
from loket.storage.dynamodb_mail import DynamoDBMailQueue
from loket.storage.dynamodb_mail_in import (DynamoDBMailIn, message_key_puts,
                                            stored_message_key)
from loket.storage.records import (message_from_record, message_to_record,
                                   ticket_from_record, ticket_to_record, upload_from_record,
                                   upload_to_record, utc_iso)

# botocore retries throttling and transient errors itself, with exponential backoff
# and jitter. max_attempts counts retries: eight of them (nine attempts) ride out the
# throttling an on-demand table does while it scales up for a burst.
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 8})

COUNTER_KEY = {"pk": "COUNTER#ticket", "sk": "COUNTER"}
MESSAGE_PREFIX = "MSG#"
# Pending uploads sit in the sparse `due` index under one key of their own (uploads are
# few next to the index's write capacity), until a message claims them.
UPLOAD_EXPIRY_SHARD = "EXPIRY#uploads"

# Reasons DynamoDB gives for cancelling a transaction that are worth another go with
# the same writes: another transaction held one of the items, or the table throttled.
# botocore does not retry TransactionCanceledException, so the store does.
TRANSIENT_CANCELLATIONS = {"TransactionConflict", "ThrottlingError",
                           "ProvisionedThroughputExceeded"}
TRANSACTION_ATTEMPTS = 5

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def create_table(client, table_name: str) -> None:
    """Create the table with its indexes and TTL, and wait until it takes requests.

    Keys and indexes come from dynamodb_table.yml, which serverless.yml reads too."""
    client.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                        **table_schema())
    client.get_waiter("table_exists").wait(TableName=table_name,
                                           WaiterConfig={"Delay": 2, "MaxAttempts": 60})
    client.update_time_to_live(TableName=table_name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires_at"})


def table_schema() -> dict[str, Any]:
    """AttributeDefinitions, KeySchema and GlobalSecondaryIndexes of the table: the one
    source, dynamodb_table.yml (read when a table is made, never at import)."""
    import yaml

    return yaml.safe_load((Path(__file__).parent / "dynamodb_table.yml").read_text())


class DynamoDBStore(DynamoDBAccounts, DynamoDBMailQueue, DynamoDBMailIn, DynamoDBEvents,
                    DynamoDBDesk, DynamoDBKnownIssues, DynamoDBEraseJobs):
    """A TicketStore on one DynamoDB table; safe to share between threads. Accounts,
    sessions and the portal's ticket lists are in dynamodb_accounts.py; the mail queue
    in dynamodb_mail.py."""

    def __init__(self, table_name: str, *, first_number: int = 10001, client=None,
                 region: str | None = None, endpoint_url: str | None = None):
        self.table_name = table_name
        self.first_number = first_number
        self._client = LazyClient("dynamodb", region=region, endpoint_url=endpoint_url,
                                  config=CLIENT_CONFIG, client=client)

    @property
    def client(self):
        """The low-level client, made on first use so importing or configuring the
        store never touches AWS. A client passed in brings its own retry config."""
        return self._client.get()

    def close(self) -> None:
        self._client.close()

    # -- tickets -----------------------------------------------------------------------

    def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None,
                      fingerprint: str = "",
                      mails: "Callable[[Ticket], Sequence[OutgoingMail]] | None" = None,
                      hits: "Sequence[HitLimit]" = ()) -> tuple[Ticket, bool]:
        if idempotency_key is not None:
            earlier = self._replay(idempotency_key, fingerprint)
            if earlier is not None:
                return earlier, False
        ticket = Ticket.from_new(self._next_number(), new)
        queued = list(mails(ticket)) if mails else []
        writes = self._ticket_writes(ticket, new.first_message(), idempotency_key,
                                     fingerprint, new.taken_by) + self._mail_puts(queued)
        # Last, so their cancellation reasons are found by position (raise_if_over).
        writes += hit_updates(self.table_name, hits, _to_item)
        for attempt in itertools.count(1):
            try:
                # botocore adds a ClientRequestToken, so its own retries of this call
                # cannot apply the transaction twice.
                self.client.transact_write_items(TransactItems=writes)
                self._mail_queued(queued)
                return ticket, True
            except ClientError as error:
                reasons = _cancellation_reasons(error)
                if reasons is None:
                    raise
                if idempotency_key is not None:
                    # A concurrent request with the same key may have won the race;
                    # then its ticket is the answer and our number stays unused.
                    earlier = self._replay(idempotency_key, fingerprint)
                    if earlier is not None:
                        return earlier, False
                raise_if_over(error, writes, hits)
                if attempt == TRANSACTION_ATTEMPTS or not reasons & TRANSIENT_CANCELLATIONS:
                    raise
                # Same writes, same number: nothing was written, so no gap either.
                time.sleep(0.02 * 2 ** attempt)

    def _next_number(self) -> int:
        """Take the next ticket number with one atomic increment. A number taken by a
        create that then fails is never reused: gaps are fine, duplicates are not."""
        response = self.client.update_item(
            TableName=self.table_name, Key=_to_item(COUNTER_KEY),
            UpdateExpression="SET #value = if_not_exists(#value, :before_first) + :one",
            ExpressionAttributeNames={"#value": "value"},  # VALUE is a reserved word
            ExpressionAttributeValues=_to_item({":before_first": self.first_number - 1,
                                                ":one": 1}),
            ReturnValues="UPDATED_NEW")
        return int(response["Attributes"]["value"]["N"])

    def _ticket_writes(self, ticket: Ticket, first: Message, idempotency_key: str | None,
                       fingerprint: str, taken_by: str | None = None) -> list[dict[str, Any]]:
        """The one transaction that stores a ticket: all of it, or nothing."""
        items = [
            _ticket_item(ticket),
            {"pk": _ticket_pk(ticket.number), "sk": _message_sk(first, 1),
             **message_to_record(first)},
            event_item(created_event(ticket, taken_by)),
        ]
        if idempotency_key is not None:
            items.append({**_idempotency_key(idempotency_key), "fingerprint": fingerprint,
                          "ticket": ticket.number})
        words = words_write(self.table_name, ticket, [ticket.subject, first.body])
        # attribute_not_exists: never overwrite a ticket (say, after a counter was
        # restored from an old backup) and let only one request claim a key.
        return [{"Put": {"TableName": self.table_name, "Item": _to_item(item),
                         "ConditionExpression": "attribute_not_exists(pk)"}}
                for item in items] + ([words] if words else [])

    def _replay(self, idempotency_key: str, fingerprint: str) -> Ticket | None:
        """The ticket an earlier request with this key made, or None if there was none."""
        earlier = self._get(_idempotency_key(idempotency_key))
        if earlier is None:
            return None
        if earlier["fingerprint"] != fingerprint:
            raise IdempotencyConflict(idempotency_key)
        return self.get_ticket(int(earlier["ticket"]))

    def get_ticket(self, number: int) -> Ticket | None:
        record = self._get(_ticket_key(number))
        return ticket_from_record(record) if record else None

    def save_ticket(self, ticket: Ticket, *, expected_version: int,
                    events: Sequence[TicketEvent],
                    messages: Sequence[Message] = (),
                    mails: "Sequence[OutgoingMail]" = ()) -> Ticket:
        check_events(ticket, events)
        saved = replace(ticket, version=expected_version + 1)
        ticket_put = {"Put": {
            "TableName": self.table_name, "Item": _to_item(_ticket_item(saved)),
            # Optimistic locking: only over the version this change was based on.
            "ConditionExpression": "attribute_exists(pk) AND version = :expected",
            "ExpressionAttributeValues": _to_item({":expected": expected_version})}}
        # Always a transaction, even for a timer's save: the change's events go with it.
        message_puts = [{"Put": {
            "TableName": self.table_name,
            "Item": _to_item({"pk": _ticket_pk(ticket.number),
                              "sk": _message_sk(message, saved.version * 1000 + i),
                              **message_to_record(message)}),
            "ConditionExpression": "attribute_not_exists(pk)"}}
            for i, message in enumerate(messages)]
        # Right after the ticket: their cancellation reasons are found by position.
        key_puts = message_key_puts(self.table_name, _ticket_pk(ticket.number), messages)
        # The messages' words for the desk's search (storage/dynamodb_desk.py).
        words = words_write(self.table_name, ticket, [m.body for m in messages])
        try:
            self.client.transact_write_items(
                TransactItems=[ticket_put, *key_puts, *message_puts, *self._event_puts(events),
                               *self._mail_puts(mails), *([words] if words else [])])
        except ClientError as error:
            if cancelled_by_condition(error):
                stored = stored_message_key(error, 1, key_puts)
                if stored is not None:
                    raise MessageAlreadyStored(ticket.number, stored) from None
                raise VersionConflict(ticket.number) from None
            raise
        self._mail_queued(mails)
        return saved

    def due_tickets(self, now: datetime, limit: int = 100) -> list[Ticket]:
        """Merge the timer shards (DUE#<n>) of the sparse `due` index, earliest first.
        Each shard is read in pages of about limit / shards, and a shard's next page
        only when the merge needs it, so a call reads little more than `limit` due
        items, whatever the spread over the shards (asking each shard for `limit` would
        read four times that)."""
        return self._due(TIMER_SHARD, now, limit)

    def due_removals(self, now: datetime, limit: int = 100) -> list[Ticket]:
        """As due_tickets, from the removal shards (RETAIN#<n>; storage/due_kinds.py)."""
        return self._due(REMOVAL_SHARD, now, limit)

    def _due(self, part: str, now: datetime, limit: int) -> list[Ticket]:
        page = -(-limit // DUE_SHARDS) + 1
        shards = [_DueShard(self, f"{part}#{shard}", now, page)
                  for shard in range(DUE_SHARDS)]
        found: list[Ticket] = []
        while len(found) < limit:
            heads = [shard for shard in shards if shard.head() is not None]
            if not heads:
                break
            found.append(min(heads, key=lambda shard: shard.head().due_at).pop())
        return found

    def list_messages(self, number: int) -> list[Message]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item({":pk": _ticket_pk(number),
                                                ":prefix": MESSAGE_PREFIX}))
        return [message_from_record(_from_item(item))
                for page in pages for item in page["Items"]]

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        # Consistent: a retry right after the first request must see what it stored.
        response = self.client.get_item(TableName=self.table_name, Key=_to_item(key),
                                        ConsistentRead=True)
        return _from_item(response["Item"]) if "Item" in response else None

    # -- rate-limit counters -----------------------------------------------------------

    def count_hit(self, key: str, window_start: datetime, expires_at: datetime,
                  amount: int = 1) -> int:
        # One item per key and window, so an old window is never counted and TTL can
        # remove it whenever it likes (DynamoDB takes up to a few days).
        ttl = int(expires_at.timestamp())  # TTL wants epoch seconds
        response = self.client.update_item(
            TableName=self.table_name,
            Key=_to_item({"pk": f"HIT#{key}@{window_start.isoformat()}", "sk": "HIT"}),
            UpdateExpression="ADD #count :amount SET expires_at = :expires_at",
            ExpressionAttributeNames={"#count": "count"},  # COUNT is a reserved word
            ExpressionAttributeValues=_to_item({":amount": amount, ":expires_at": ttl}),
            # ALL_NEW: adding 0 (a read) leaves the count unchanged, and UPDATED_NEW
            # would leave it out.
            ReturnValues="ALL_NEW")
        return int(response["Attributes"]["count"]["N"])


    # -- uploads ---------------------------------------------------------------------

    def create_upload(self, upload: Upload) -> None:
        self.client.put_item(TableName=self.table_name, Item=_to_item(_upload_item(upload)),
                             ConditionExpression="attribute_not_exists(pk)")

    def get_upload(self, upload_id: str) -> Upload | None:
        item = self._get(_upload_key(upload_id))
        return _upload_from_item(item) if item else None

    def mark_uploads_attached(self, upload_ids: Sequence[str], *, ticket: int,
                              claim_key: str | None = None) -> None:
        # Off the expiry index and out of TTL's reach: an attached upload is kept.
        values = {":ticket": ticket, **({":key": claim_key} if claim_key else {})}
        for upload_id in upload_ids:
            try:
                self.client.update_item(
                    TableName=self.table_name, Key=_to_item(_upload_key(upload_id)),
                    UpdateExpression="SET ticket = :ticket"
                                     + (", claim_key = :key" if claim_key else "")
                                     + " REMOVE due_shard, due_at, expires_at",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues=_to_item(values))
            except ClientError as error:
                if not lost_condition(error):
                    raise

    def expired_uploads(self, now: datetime, limit: int = 100) -> list[Upload]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, IndexName="due",
            KeyConditionExpression="due_shard = :shard AND due_at <= :now",
            ExpressionAttributeValues=_to_item({":shard": UPLOAD_EXPIRY_SHARD,
                                                ":now": utc_iso(now)}),
            PaginationConfig={"MaxItems": limit, "PageSize": limit})
        return [_upload_from_item(_from_item(item)) for page in pages for item in page["Items"]]

    def delete_upload(self, upload_id: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key=_to_item(_upload_key(upload_id)))

    def named_blob_keys(self) -> set[str]:
        # A Scan of the table, a page (1 MB) at a time, keeping only messages with files
        # and uploads: the clean-up runs once a day at most, never for a request.
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table_name, ConsistentRead=True,
            FilterExpression="attribute_exists(attachments) OR begins_with(pk, :upload)",
            ProjectionExpression="pk, attachments",
            ExpressionAttributeValues={":upload": {"S": "UPLOAD#"}})
        named: set[str] = set()
        for page in pages:
            for item in map(_from_item, page.get("Items", ())):
                if item["pk"].startswith("UPLOAD#"):
                    named.add(upload_final_key(item["pk"].removeprefix("UPLOAD#")))
                else:
                    named.update(keys_in_attachments(item.get("attachments")))
        return named


class _DueShard:
    """One shard of the `due` index, read a page at a time as the merge asks for more."""

    def __init__(self, store: DynamoDBStore, shard: str, now: datetime, page: int):
        self.store = store
        self.query = {"TableName": store.table_name, "IndexName": "due", "Limit": page,
                      "KeyConditionExpression": "due_shard = :shard AND due_at <= :now",
                      "ExpressionAttributeValues": _to_item({":shard": shard,
                                                             ":now": utc_iso(now)})}
        self.buffer: list[Ticket] = []
        self.next_key: dict | None = None
        self.exhausted = False

    def head(self) -> Ticket | None:
        while not self.buffer and not self.exhausted:
            start = {"ExclusiveStartKey": self.next_key} if self.next_key else {}
            response = self.store.client.query(**self.query, **start)
            self.buffer = [ticket_from_record(_from_item(item)) for item in response["Items"]]
            self.next_key = response.get("LastEvaluatedKey")
            self.exhausted = self.next_key is None
        return self.buffer[0] if self.buffer else None

    def pop(self) -> Ticket:
        return self.buffer.pop(0)


# -- keys and attribute values -----------------------------------------------------------

def _ticket_pk(number: int) -> str:
    return f"TICKET#{number}"


def _ticket_key(number: int) -> dict[str, str]:
    return {"pk": _ticket_pk(number), "sk": "TICKET"}


def _ticket_item(ticket: Ticket) -> dict[str, Any]:
    """The ticket's item. Only a ticket with a pending timer (or retention's removal)
    carries the `due` index's keys, under its part's shard (storage/due_kinds.py), so
    the index holds just the tickets the sweeper may have to act on."""
    record = {k: v for k, v in ticket_to_record(ticket).items() if v is not None}
    item = {**_ticket_key(ticket.number), **record, **ticket_index_attributes(ticket),
            **desk_index_attributes(ticket)}
    if ticket.due_at is not None:
        item.update(due_shard=dynamodb_shard(ticket, DUE_SHARDS), due_at=record["due_at"])
    return item


def _message_sk(message: Message, sequence: int) -> str:
    """MSG#<UTC time, fixed width>#<sequence>: sorts oldest first as plain strings, and
    two messages in the same microsecond still get distinct keys."""
    moment = message.created_at.astimezone(timezone.utc)
    return f"{MESSAGE_PREFIX}{moment.isoformat(timespec='microseconds')}#{sequence:06d}"


def _upload_key(upload_id: str) -> dict[str, str]:
    return {"pk": f"UPLOAD#{upload_id}", "sk": "UPLOAD"}


def _upload_item(upload: Upload) -> dict[str, Any]:
    """The upload's item. While pending it is on the `due` index (so expired ones are
    found without a scan) and carries `expires_at` in epoch seconds for TTL; the
    record's own moment is kept as `expires`."""
    record = {k: v for k, v in upload_to_record(upload).items() if v is not None}
    record["expires"] = record.pop("expires_at")
    item = {**_upload_key(upload.id), **record}
    if not upload.attached:
        item.update(due_shard=UPLOAD_EXPIRY_SHARD, due_at=record["expires"],
                    expires_at=int(upload.expires_at.timestamp()))
    return item


def _upload_from_item(item: dict[str, Any]) -> Upload:
    return upload_from_record({**item, "expires_at": item["expires"]})


def _idempotency_key(key: str) -> dict[str, str]:
    return {"pk": f"IDEMP#{key}", "sk": "IDEMP"}


def _cancellation_reasons(error: ClientError) -> set[str] | None:
    """The codes of a cancelled transaction's items, or None for any other error."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    reasons = error.response.get("CancellationReasons", [])
    return {reason.get("Code", "None") for reason in reasons}


def _to_item(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
