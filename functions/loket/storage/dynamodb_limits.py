"""Limits counted inside DynamoDBStore's ticket transaction (domain/limits.py): one
conditional Update per counter, so the ticket and its hits are written together or
not at all. The counter items are those of count_hit (storage/dynamodb.py)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from botocore.exceptions import ClientError

from loket.domain.limits import HitLimit, OverLimit
from loket.storage.dynamodb_conditions import cancelled_by_condition


def hit_key(key: str, window_start) -> dict[str, str]:
    """One item per key and window, as count_hit writes it."""
    return {"pk": f"HIT#{key}@{window_start.isoformat()}", "sk": "HIT"}


def hit_updates(table_name: str, hits: Sequence[HitLimit],
                to_item: Callable[[dict[str, Any]], dict[str, Any]]) -> list[dict[str, Any]]:
    """Add one to each counter, on condition that it has room for it: the transaction
    is cancelled (nothing written) when a counter is at its limit already."""
    return [{"Update": {
        "TableName": table_name, "Key": to_item(hit_key(hit.key, hit.window_start)),
        "UpdateExpression": "ADD #count :one SET expires_at = :expires_at",
        "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
        "ExpressionAttributeNames": {"#count": "count"},  # COUNT is a reserved word
        "ExpressionAttributeValues": to_item({
            ":one": 1, ":limit": hit.limit,
            ":expires_at": int(hit.expires_at.timestamp())}),  # TTL wants epoch seconds
    }} for hit in hits]


def raise_if_over(error: ClientError, writes: Sequence[dict], hits: Sequence[HitLimit]) -> None:
    """When `error` cancelled `writes`, whose last items are `hits`' updates, because a
    counter had no room: OverLimit for the first such counter."""
    if len(error.response.get("CancellationReasons") or []) != len(writes):
        return  # Not a cancellation of `writes`: no reason stands for a counter.
    first = len(writes) - len(hits)
    for i, hit in enumerate(hits):
        if cancelled_by_condition(error, first + i):
            raise OverLimit(hit) from None
