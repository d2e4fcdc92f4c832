"""Mail-in's part of the DynamoDB store: refused mail kept for agents (REFUSED#<id>,
listed newest first from gsi1 under REFUSED), and the key items (KEY#<key> in the
ticket's partition) that make a keyed message stored once. See dynamodb.md."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from loket.domain.tickets import Message
from loket.storage.dynamodb_conditions import cancelled_by_condition, lost_condition
from loket.storage.records import utc_iso

if TYPE_CHECKING:
    from loket.domain.refused import RefusedMail

REFUSED_INDEX = "REFUSED"
MESSAGE_KEY_PREFIX = "KEY#"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def message_key_puts(table: str, ticket_pk: str,
                     messages: Sequence[Message]) -> list[dict[str, Any]]:
    """A conditional Put per keyed message, for the transaction that stores them: the
    transaction is cancelled when the ticket holds the key already."""
    return [{"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                     "Item": _to_item({"pk": ticket_pk,
                                       "sk": MESSAGE_KEY_PREFIX + m.idempotency_key})}}
            for m in messages if m.idempotency_key]


def stored_message_key(error: ClientError, first: int,
                       puts: Sequence[dict[str, Any]]) -> str | None:
    """The key that cancelled the transaction because it is stored already, or None.
    `first` is the position of the first of the key `puts` in the transaction."""
    for i, put in enumerate(puts):
        if cancelled_by_condition(error, first + i):
            return put["Put"]["Item"]["sk"]["S"][len(MESSAGE_KEY_PREFIX):]
    return None


class DynamoDBMailIn:
    """Mixed into DynamoDBStore; expects its client, table_name, _get() and the mail
    queue's _mail_puts() and _mail_queued()."""

    def keep_refused(self, mail: RefusedMail, *, mails: Sequence = ()) -> bool:
        put = {"TableName": self.table_name, "Item": _to_item(_refused_item(mail)),
               "ConditionExpression": "attribute_not_exists(pk)"}
        try:
            if mails:  # The notice, in the same write: one transaction.
                self.client.transact_write_items(
                    TransactItems=[{"Put": put}, *self._mail_puts(mails)])
            else:
                self.client.put_item(**put)
        except ClientError as error:
            # Kept already: alone, or with the notice (the refused mail's Put is first).
            if lost_condition(error) or cancelled_by_condition(error, 0):
                return False
            raise
        self._mail_queued(mails)
        return True

    def get_refused(self, refused_id: str) -> RefusedMail | None:
        item = self._get(_refused_key(refused_id))
        return _refused_from_item(item) if item else None

    def list_refused(self, limit: int = 50,
                     before: datetime | None = None) -> list[RefusedMail]:
        condition, values = "gsi1pk = :pk", {":pk": REFUSED_INDEX}
        if before is not None:
            condition += " AND gsi1sk < :before"
            values[":before"] = utc_iso(before)
        response = self.client.query(
            TableName=self.table_name, IndexName="gsi1", KeyConditionExpression=condition,
            ExpressionAttributeValues=_to_item(values), ScanIndexForward=False, Limit=limit)
        return [_refused_from_item(_from_item(item)) for item in response["Items"]]

    def mark_refused_taken_in(self, refused_id: str, *, ticket: int, by: str,
                              at: datetime) -> RefusedMail | None:
        try:
            response = self.client.update_item(
                TableName=self.table_name, Key=_to_item(_refused_key(refused_id)),
                UpdateExpression="SET ticket = :ticket, taken_in_by = :by, taken_in_at = :at",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(taken_in_at)",
                ExpressionAttributeValues=_to_item({":ticket": ticket, ":by": by,
                                                    ":at": utc_iso(at)}),
                ReturnValues="ALL_NEW")
        except ClientError as error:
            if lost_condition(error):
                return None
            raise
        return _refused_from_item(_from_item(response["Attributes"]))


def _refused_key(refused_id: str) -> dict[str, str]:
    return {"pk": f"REFUSED#{refused_id}", "sk": "REFUSED"}


def _refused_item(mail: RefusedMail) -> dict[str, Any]:
    """The record, without empty attributes; the record's `expires_at` is kept as
    `expires`, and `expires_at` is the table's TTL attribute (epoch seconds): on AWS
    TTL removes it after the retention (portal.yml `retention.refused_mail_days`), as
    the bucket's lifecycle rule removes its raw message (services/retention.py)."""
    from loket.storage.refused_records import refused_to_record

    record = {k: v for k, v in refused_to_record(mail).items() if v not in (None, "")}
    record["expires"] = record.pop("expires_at")
    return {**_refused_key(mail.id), **record, "gsi1pk": REFUSED_INDEX,
            "gsi1sk": f"{record['received_at']}#{mail.id}",
            "expires_at": int(mail.expires_at.timestamp())}


def _refused_from_item(item: dict[str, Any]) -> RefusedMail:
    # Refused mail's records come with the first one kept or read, not with the store:
    # a cold start of the http function (mostly a submission) has none.
    from loket.storage.refused_records import refused_from_record

    return refused_from_record({**item, "expires_at": item["expires"]})


def _to_item(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
