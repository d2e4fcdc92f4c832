"""DynamoDBStore's mail queue and suppression list: a mixin over the store's client and
table. Queued mail rides in the sparse `due` index under keys of its own, so finding
what is due costs O(mail due), as the sweeper's timers do. See dynamodb.md;
tests/contract/test_mail_queue_contract.py defines the behaviour."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Sequence

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from loket.domain.outgoing import MailState, OutgoingMail, Suppression, address_key
from loket.storage.dynamodb_conditions import lost_condition
from loket.storage.mail_records import (lift_from_record, lift_to_record, mail_from_record,
                                        mail_to_record, suppression_from_record,
                                        suppression_to_record)
from loket.storage.mail_outcomes import outcome_fields
from loket.storage.records import utc_iso

if TYPE_CHECKING:
    from loket.domain.suppression_lifts import SuppressionLift

# Pending mail sits in the `due` index under MAIL#pending by its next attempt; mail an
# admin must see (failed, suppressed) under MAIL#failed by when it was queued. Sent mail
# is on no index. One key each: a support portal's mail is far below what one index
# partition takes.
PENDING_SHARD = "MAIL#pending"
UNDELIVERED_SHARD = "MAIL#failed"
# Suppressed addresses sit there too, by when they were suppressed (the desk's list);
# a lift deletes the item, and so its index entry.
SUPPRESSED_SHARD = "SUPPRESS#all"

# An expansion's mail: put when new, or over one that waits still with other data.
_NEW_OR_REWRITTEN = {
    "ConditionExpression": "attribute_not_exists(pk) OR (#state = :pending AND #data <> :data)",
    "ExpressionAttributeNames": {"#state": "state", "#data": "data"}}

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class DynamoDBMailQueue:
    """Mixed into DynamoDBStore; expects its client, table_name and _get()."""

    # Called (no arguments) after a write that queued mail, so a dispatcher in the same
    # process can wake at once.
    mail_listener: Callable[[], None] | None = None

    def _mail_queued(self, mails: Sequence[OutgoingMail]) -> None:
        if mails and self.mail_listener is not None:
            self.mail_listener()

    def _mail_puts(self, mails: Sequence[OutgoingMail]) -> list[dict[str, Any]]:
        """TransactWriteItems entries that queue `mails` (a mail is never overwritten)."""
        return [{"Put": {"TableName": self.table_name, "Item": _to_item(mail_item(mail)),
                         "ConditionExpression": "attribute_not_exists(pk)"}}
                for mail in mails]

    def enqueue_mail(self, mails: Sequence[OutgoingMail]) -> None:
        if not mails:
            return
        puts = self._mail_puts(mails)
        if len(puts) == 1:
            self.client.put_item(**puts[0]["Put"])
        else:
            self.client.transact_write_items(TransactItems=puts)
        self._mail_queued(mails)

    def claim_mail(self, now: datetime, lease_until: datetime,
                   limit: int = 50) -> list[OutgoingMail]:
        response = self.client.query(
            TableName=self.table_name, IndexName="due", Limit=limit,
            KeyConditionExpression="due_shard = :shard AND due_at <= :now",
            ExpressionAttributeValues=_to_item({":shard": PENDING_SHARD,
                                                ":now": utc_iso(now)}))
        # Mails due at the same moment go in the order they were made (ids sort so).
        seen = sorted((_from_item(item) for item in response["Items"]),
                      key=lambda item: (item["due_at"], item["id"]))
        claimed = (self._claim(item, lease_until) for item in seen)
        return [mail for mail in claimed if mail is not None]

    def _claim(self, seen: dict[str, Any], lease_until: datetime) -> OutgoingMail | None:
        """Move the mail's next attempt to the lease's end, if it is still as the index
        showed it: of two dispatchers one gets it; a copy that is behind gets nothing."""
        lease = utc_iso(lease_until)
        try:
            response = self.client.update_item(
                TableName=self.table_name, Key=_to_item(_mail_key(seen["id"])),
                UpdateExpression="SET due_at = :lease, next_attempt_at = :lease",
                ConditionExpression="due_at = :seen AND #state = :pending",
                ExpressionAttributeNames={"#state": "state"},  # a reserved word
                ExpressionAttributeValues=_to_item({":lease": lease, ":seen": seen["due_at"],
                                                    ":pending": MailState.PENDING.value}),
                ReturnValues="ALL_NEW")
        except ClientError as error:
            if lost_condition(error):
                return None
            raise
        return mail_from_record(_from_item(response["Attributes"]))

    def update_mail(self, mail: OutgoingMail) -> None:
        self.client.put_item(TableName=self.table_name, Item=_to_item(mail_item(mail)),
                             ConditionExpression="attribute_exists(pk)")

    def requeue_mail(self, seen: OutgoingMail, now: datetime) -> bool:
        """The retry's fields only, on condition that the mail is still as read (its
        state, its next attempt: none for mail that failed): an erasure since keeps its
        work, a deleted mail is not made again, a changed one is left alone."""
        due = utc_iso(now)
        seen_at = mail_item(seen).get("next_attempt_at")
        condition = "#state = :seen_state AND " + (
            "next_attempt_at = :seen_at" if seen_at else "attribute_not_exists(next_attempt_at)")
        values = {":pending": MailState.PENDING.value, ":due": due, ":shard": PENDING_SHARD,
                  ":seen_state": seen.state.value, **({":seen_at": seen_at} if seen_at else {})}
        try:
            self.client.update_item(
                TableName=self.table_name, Key=_to_item(_mail_key(seen.id)),
                UpdateExpression=("SET #state = :pending, next_attempt_at = :due, "
                                  "since = :due, due_shard = :shard, due_at = :due"),
                ConditionExpression=condition, ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=_to_item(values))
        except ClientError as error:
            if lost_condition(error):
                return False
            raise
        return True

    def update_mails(self, mails: Sequence[OutgoingMail], *, claimed_until: datetime) -> None:
        # One UpdateItem each: the table has no lock to share, and a BatchWriteItem
        # could not keep the condition.
        lease = utc_iso(claimed_until)
        for mail in mails:
            self._store_outcome(mail, lease)

    def _store_outcome(self, mail: OutgoingMail, lease: str) -> bool:
        """The attempt's fields only (storage/mail_outcomes.py), on condition that the
        claim still holds: an erasure that rewrote the mail meanwhile (its address, its
        data) keeps its work, one that deleted it is not undone, and a mail claimed
        again after the lease is the newer claim's (it sends the mail again)."""
        item = mail_item(mail)
        names = [*outcome_fields(mail), "due_shard", "due_at"]
        placeholders = {f"#f{n}": name for n, name in enumerate(names)}
        values = {f":f{n}": item[name] for n, name in enumerate(names) if name in item}
        sets = [f"#f{n} = :f{n}" for n, name in enumerate(names) if name in item]
        removes = [f"#f{n}" for n, name in enumerate(names) if name not in item]
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self.client.update_item(
                TableName=self.table_name, Key=_to_item(_mail_key(mail.id)),
                UpdateExpression=update,
                ConditionExpression="#state = :pending AND next_attempt_at = :lease",
                ExpressionAttributeNames={**placeholders, "#state": "state"},
                ExpressionAttributeValues=_to_item({**values, ":lease": lease,
                                                    ":pending": MailState.PENDING.value}))
        except ClientError as error:
            if lost_condition(error):
                return False
            raise
        return True

    def expand_mails(self, expansions: Sequence[tuple[OutgoingMail, Sequence[OutgoingMail],
                                                      OutgoingMail | None]]) -> list[bool]:
        """A dispatcher's round of expansions, one after the other (expand_mail): the
        table has no lock to share, and a BatchWriteItem could not keep the conditions."""
        return [self.expand_mail(intent, mails, seen=seen) for intent, mails, seen in expansions]

    def expand_mail(self, intent: OutgoingMail, mails: Sequence[OutgoingMail], *,
                    seen: OutgoingMail | None = None) -> bool:
        """A conditional PutItem per mail (one already queued, by an expansion that
        stopped half-way, is left as it is unless it waits still with other data: an
        erasure rewrote the record since), then the intent's PutItem: no transaction,
        whose 100 items would bound a board's agents and whose one failed condition
        would undo the rest. With `seen` (the record as claimed), only while the record
        is still so (pending, its lease, its data): read before the mails are put (an
        erasure since: False, nothing put; the dispatcher expands what the store has
        now), and the intent's PutItem on that condition (an erasure during the puts:
        False; the next expansion rewrites the mails that wait still)."""
        if seen is not None and mails and not self._as_seen(self._get(_mail_key(seen.id)), seen):
            return False
        for put in self._mail_puts(mails):
            try:
                self.client.put_item(**{**put["Put"], **_NEW_OR_REWRITTEN,
                                        "ExpressionAttributeValues": _to_item({
                                            ":pending": MailState.PENDING.value,
                                            ":data": put["Put"]["Item"]["data"]["S"]})})
            except ClientError as error:
                if not lost_condition(error):
                    raise
        if seen is None:
            self.update_mail(intent)
        elif not self._put_if_as_seen(intent, seen):
            return False
        self._mail_queued(mails)
        return True

    @staticmethod
    def _as_seen(item: dict[str, Any] | None, seen: OutgoingMail) -> bool:
        claimed = mail_item(seen)
        return item is not None and all(item.get(name) == claimed.get(name)
                                        for name in ("state", "next_attempt_at", "data"))

    def _put_if_as_seen(self, mail: OutgoingMail, seen: OutgoingMail) -> bool:
        claimed = mail_item(seen)
        try:
            self.client.put_item(
                TableName=self.table_name, Item=_to_item(mail_item(mail)),
                ConditionExpression=("#state = :pending AND next_attempt_at = :lease "
                                     "AND #data = :data"),
                ExpressionAttributeNames={"#state": "state", "#data": "data"},
                ExpressionAttributeValues=_to_item({":pending": MailState.PENDING.value,
                                                    ":lease": claimed["next_attempt_at"],
                                                    ":data": claimed["data"]}))
        except ClientError as error:
            if lost_condition(error):
                return False
            raise
        return True

    def get_mail(self, mail_id: str) -> OutgoingMail | None:
        item = self._get(_mail_key(mail_id))
        return mail_from_record(item) if item else None

    def list_mail(self, pending: bool, limit: int = 100) -> list[OutgoingMail]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, IndexName="due",
            KeyConditionExpression="due_shard = :shard",
            ExpressionAttributeValues=_to_item(
                {":shard": PENDING_SHARD if pending else UNDELIVERED_SHARD}),
            ScanIndexForward=pending,
            PaginationConfig={"MaxItems": limit, "PageSize": limit})
        return [mail_from_record(_from_item(item)) for page in pages for item in page["Items"]]

    def suppress_address(self, suppression: Suppression) -> None:
        self.client.put_item(TableName=self.table_name,
                             Item=_to_item(suppression_item(suppression)))

    def list_suppressions(self, limit: int = 100) -> list[Suppression]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, IndexName="due",
            KeyConditionExpression="due_shard = :shard",
            ExpressionAttributeValues=_to_item({":shard": SUPPRESSED_SHARD}),
            ScanIndexForward=False, PaginationConfig={"MaxItems": limit, "PageSize": limit})
        return [suppression_from_record(_from_item(item))
                for page in pages for item in page["Items"]]

    def index_suppressions(self) -> int:
        """Give suppression items put before the desk's list (no `due` keys) their place
        in it. Their key is the address and no index holds them, so only a Scan finds
        them: a page (1 MB) at a time, keeping suppression items without the keys."""
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table_name, ConsistentRead=True,
            FilterExpression=("begins_with(pk, :suppress) AND sk = :kind"
                              " AND attribute_not_exists(due_shard)"),
            ProjectionExpression="pk, created_at",
            ExpressionAttributeValues=_to_item({":suppress": "SUPPRESS#", ":kind": "SUPPRESS"}))
        return sum(self._index_suppression(item)
                   for page in pages for item in map(_from_item, page["Items"]))

    def _index_suppression(self, seen: dict[str, Any]) -> bool:
        """The keys suppression_item writes, on the suppression the Scan saw only: one
        lifted or suppressed again meanwhile is gone or has them already."""
        try:
            self.client.update_item(
                TableName=self.table_name, Key=_to_item({"pk": seen["pk"], "sk": "SUPPRESS"}),
                UpdateExpression="SET due_shard = :shard, due_at = :created",
                ConditionExpression="created_at = :created AND attribute_not_exists(due_shard)",
                ExpressionAttributeValues=_to_item({":shard": SUPPRESSED_SHARD,
                                                    ":created": seen["created_at"]}))
        except ClientError as error:
            if lost_condition(error):
                return False
            raise
        return True

    def get_suppression(self, address: str) -> Suppression | None:
        item = self._get(_suppression_key(address_key(address)))
        return suppression_from_record(item) if item else None

    def lift_suppression(self, address: str, *, lifted_by: str, lifted_at: datetime,
                         note: str = "") -> SuppressionLift | None:
        """One transaction: delete the suppression (only the one read: a newer one made
        meanwhile, or one an erasure rewrote, is read again, so the lift never copies
        what an erasure took out of it) and put the lift beside it, under the same pk."""
        from loket.domain.suppression_lifts import SuppressionLift  # Not at a cold start.

        key = address_key(address)
        for attempt in range(1, 6):
            item = self._get(_suppression_key(key))
            if item is None:
                return None
            lift = SuppressionLift(suppression_from_record(item), lifted_by, lifted_at, note)
            try:
                self.client.transact_write_items(TransactItems=[
                    {"Delete": {"TableName": self.table_name,
                                "Key": _to_item(_suppression_key(key)),
                                **_as_read(item)}},
                    {"Put": {"TableName": self.table_name, "Item": _to_item(
                        {**_lift_key(key, lifted_at), **lift_to_record(lift)})}}])
                return lift
            except ClientError as error:
                cancelled = error.response.get("Error", {}).get("Code") == "TransactionCanceledException"
                if not cancelled or attempt == 5:
                    raise
        return None  # Not reached: the last attempt returns or raises.

    def suppression_lifts(self, address: str) -> list[SuppressionLift]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :lift)",
            ExpressionAttributeValues=_to_item(
                {":pk": _suppression_key(address_key(address))["pk"], ":lift": "LIFT#"}),
            ScanIndexForward=False)
        return [lift_from_record(_from_item(item)) for page in pages for item in page["Items"]]


def mail_item(mail: OutgoingMail) -> dict[str, Any]:
    """The mail's item, with the `due` index's keys that its state calls for."""
    record = {k: v for k, v in mail_to_record(mail).items() if v is not None}
    item = {**_mail_key(mail.id), **record}
    if mail.state is MailState.PENDING:
        item.update(due_shard=PENDING_SHARD, due_at=record["next_attempt_at"])
    elif mail.state is not MailState.SENT:
        item.update(due_shard=UNDELIVERED_SHARD, due_at=record["created_at"])
    return item


def suppression_item(suppression: Suppression) -> dict[str, Any]:
    """The suppression's item, on the `due` index under SUPPRESSED_SHARD."""
    record = suppression_to_record(suppression)
    key = address_key(suppression.address)
    return {**_suppression_key(key), **record, "address": key,
            "due_shard": SUPPRESSED_SHARD, "due_at": record["created_at"]}


def _as_read(suppression: dict[str, Any]) -> dict[str, Any]:
    """The condition that a suppression item is still as read: its moment and detail
    (the one text an erasure rewrites)."""
    values = {":created": suppression["created_at"]}
    if suppression.get("detail") is None:
        return {"ConditionExpression": "created_at = :created AND attribute_not_exists(detail)",
                "ExpressionAttributeValues": _to_item(values)}
    return {"ConditionExpression": "created_at = :created AND detail = :detail",
            "ExpressionAttributeValues": _to_item({**values, ":detail": suppression["detail"]})}


def _mail_key(mail_id: str) -> dict[str, str]:
    return {"pk": f"MAIL#{mail_id}", "sk": "MAIL"}


def _suppression_key(address: str) -> dict[str, str]:
    return {"pk": f"SUPPRESS#{address}", "sk": "SUPPRESS"}


def _lift_key(address: str, lifted_at: datetime) -> dict[str, str]:
    """Beside the suppression, newest last; the random tail keeps two lifts of one
    second apart."""
    return {"pk": f"SUPPRESS#{address}",
            "sk": f"LIFT#{utc_iso(lifted_at)}#{secrets.token_hex(4)}"}


def _to_item(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
