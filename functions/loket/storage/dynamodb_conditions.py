"""Which botocore ClientErrors mean that a conditional write lost its condition.

A single conditional PutItem, UpdateItem or DeleteItem whose ConditionExpression is
false fails with ConditionalCheckFailedException. A transaction with such a write is
cancelled as a whole (TransactionCanceledException); its CancellationReasons hold one
reason per item, in the order of TransactItems: "ConditionalCheckFailed" for an item
whose condition was false, "None" for an item that was fine, and others (such as
"TransactionConflict" or "ThrottlingError") for a cancellation worth another go.
Every other error is no lost condition: the callers re-raise it.

Why a module of its own, not dynamodb.py beside _to_item: dynamodb.py imports the
store's other modules (its mixins), and they need these too.
"""

from __future__ import annotations

from botocore.exceptions import ClientError


def lost_condition(error: ClientError) -> bool:
    """A single write failed because its condition was false."""
    return _code(error) == "ConditionalCheckFailedException"


def cancelled_by_condition(error: ClientError, index: int | None = None) -> bool:
    """A transaction was cancelled because the condition of its item at `index` (the
    position in TransactItems) was false; with index None, that of any of its items."""
    if _code(error) != "TransactionCanceledException":
        return False
    codes = [reason.get("Code") for reason in error.response.get("CancellationReasons") or []]
    if index is None:
        return "ConditionalCheckFailed" in codes
    return index < len(codes) and codes[index] == "ConditionalCheckFailed"


def _code(error: ClientError) -> str | None:
    return error.response.get("Error", {}).get("Code")
