"""DynamoDBStore's links from known issues to tickets: `KNOWNISSUE#<id>` partitions
with one `TICKET#<number, 20 digits>` item per linked ticket, read with one Query
when the issue's fix is released (services/known_issues.py). The ticket's own
timeline holds the link event; these items only find the tickets without a scan."""

from __future__ import annotations

from datetime import datetime

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from loket.storage.dynamodb_conditions import lost_condition
from loket.storage.records import utc_iso

_serializer = TypeSerializer()


class DynamoDBKnownIssues:
    """Mixed into DynamoDBStore; expects its client and table_name."""

    def add_known_issue_link(self, issue: str, number: int, at: datetime) -> None:
        item = link_item(issue, number, utc_iso(at))
        try:
            # The first link stands: linking again changes nothing.
            self.client.put_item(TableName=self.table_name,
                                 Item={k: _serializer.serialize(v) for k, v in item.items()},
                                 ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if not lost_condition(error):
                raise

    def known_issue_tickets(self, issue: str) -> list[int]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk", ProjectionExpression="ticket",
            ExpressionAttributeValues={":pk": {"S": _issue_pk(issue)}})
        return [int(item["ticket"]["N"]) for page in pages for item in page["Items"]]


def link_item(issue: str, number: int, linked_at: str) -> dict:
    """The link's item (plain values); `loket import` writes the same."""
    return {"pk": _issue_pk(issue), "sk": f"TICKET#{number:020d}", "ticket": number,
            "linked_at": linked_at}


def _issue_pk(issue: str) -> str:
    return f"KNOWNISSUE#{issue}"
