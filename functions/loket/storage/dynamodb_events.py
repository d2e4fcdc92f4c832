"""DynamoDBStore's ticket events: items in the ticket's partition (`TICKET#<n>`,
`EVT#<key>`), put with attribute_not_exists in the same TransactWriteItems as the
change they describe; the store has no call that updates or deletes one. Beside
them, who has the ticket open at the desk: `PRESENCE#<agent>` items, overwritten by
each poll and dropped by TTL."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from loket.domain.events import TicketEvent
from loket.storage.event_records import event_from_record, event_to_record
from loket.storage.records import utc_iso

EVENT_PREFIX = "EVT#"
PRESENCE_PREFIX = "PRESENCE#"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class DynamoDBEvents:
    """Mixed into DynamoDBStore; expects its client and table_name."""

    def _event_puts(self, events: Sequence[TicketEvent]) -> list[dict[str, Any]]:
        return [{"Put": {"TableName": self.table_name, "Item": _to_item(event_item(e)),
                         "ConditionExpression": "attribute_not_exists(pk)"}}
                for e in events]

    def mark_presence(self, number: int, agent: str, until: datetime) -> None:
        self.client.put_item(TableName=self.table_name, Item=_to_item({
            "pk": f"TICKET#{number}", "sk": PRESENCE_PREFIX + agent, "agent": agent,
            "until": utc_iso(until),
            # TTL removes it some day after; `until` is what counts.
            "expires_at": int(until.timestamp()) + 3600}))

    def present_agents(self, number: int, now: datetime) -> list[str]:
        response = self.client.query(
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            FilterExpression="#until > :now", ExpressionAttributeNames={"#until": "until"},
            ExpressionAttributeValues=_to_item({":pk": f"TICKET#{number}",
                                                ":prefix": PRESENCE_PREFIX,
                                                ":now": utc_iso(now)}))
        return sorted(_from_item(item)["agent"] for item in response["Items"])

    def list_events(self, number: int) -> list[TicketEvent]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item({":pk": f"TICKET#{number}",
                                                ":prefix": EVENT_PREFIX}))
        return [event_from_record(_from_item(item))
                for page in pages for item in page["Items"]]


def event_item(event: TicketEvent) -> dict[str, Any]:
    record = event_to_record(event)
    return {"pk": f"TICKET#{event.ticket}", "sk": EVENT_PREFIX + event.key, **record}


def _to_item(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
