"""lost_condition and cancelled_by_condition (storage/dynamodb_conditions.py) on the
errors a real botocore client raises: the body DynamoDB answers with goes through
botocore's own parsing (a before-send hook stands in for the network), so the
response dicts are those the store sees, not ones written by hand."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from loket.storage.dynamodb_conditions import cancelled_by_condition, lost_condition
from tests.stores import AWS_REGION

PREFIX = "com.amazonaws.dynamodb.v20120810#"
CONDITION_FAILED = {"Code": "ConditionalCheckFailed",
                    "Message": "The conditional request failed"}
FINE = {"Code": "None"}
CONFLICT = {"Code": "TransactionConflict",
            "Message": "Transaction is ongoing for the item"}


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_):
        yield self.data


def _error(operation: str, status: int, body: dict) -> ClientError:
    """What the client raises when DynamoDB answers `operation` with `body`."""
    client = botocore.session.Session().create_client(
        "dynamodb", region_name=AWS_REGION, aws_access_key_id="testing",
        aws_secret_access_key="testing", config=Config(retries={"total_max_attempts": 1}))
    client.meta.events.register("before-send.dynamodb", lambda request, **_: AWSResponse(
        request.url, status, {"Content-Type": "application/x-amz-json-1.0"},
        _Body(json.dumps(body).encode())))
    key = {"pk": {"S": "TICKET#1"}, "sk": {"S": "TICKET"}}
    calls = {
        "PutItem": lambda: client.put_item(TableName="t", Item=key,
                                           ConditionExpression="attribute_not_exists(pk)"),
        "TransactWriteItems": lambda: client.transact_write_items(TransactItems=[
            {"Put": {"TableName": "t", "Item": key,
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": "t", "Item": {**key, "sk": {"S": "EVENT"}}}}]),
    }
    with pytest.raises(ClientError) as raised:
        calls[operation]()
    return raised.value


def _cancelled(*reasons: dict) -> ClientError:
    codes = ", ".join(reason["Code"] for reason in reasons)
    return _error("TransactWriteItems", 400, {
        "__type": PREFIX + "TransactionCanceledException",
        "Message": f"Transaction cancelled, please refer cancellation reasons for specific "
                   f"reasons [{codes}]",
        "CancellationReasons": list(reasons)})


def test_a_failed_condition_expression_is_a_lost_condition():
    error = _error("PutItem", 400, {"__type": PREFIX + "ConditionalCheckFailedException",
                                    "message": "The conditional request failed"})

    assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert lost_condition(error)
    assert not cancelled_by_condition(error)


def test_a_transaction_cancelled_by_one_items_condition():
    error = _cancelled(CONDITION_FAILED, FINE)

    assert error.response["CancellationReasons"] == [CONDITION_FAILED, FINE]
    assert cancelled_by_condition(error)
    assert cancelled_by_condition(error, 0)
    assert not cancelled_by_condition(error, 1)
    assert not cancelled_by_condition(error, 2)  # past the reasons
    assert not lost_condition(error)  # a transaction's own error code


def test_a_transaction_cancelled_by_a_conflict_is_no_lost_condition():
    error = _cancelled(FINE, CONFLICT)

    assert not cancelled_by_condition(error)
    assert not cancelled_by_condition(error, 1)
    assert not lost_condition(error)


@pytest.mark.parametrize("code, status", [
    ("ProvisionedThroughputExceededException", 400),
    ("ThrottlingException", 400),
    ("ValidationException", 400),
    ("InternalServerError", 500),
])
def test_other_errors_are_no_lost_condition(code, status):
    error = _error("PutItem", status, {"__type": PREFIX + code, "message": "no"})

    assert error.response["Error"]["Code"] == code
    assert not lost_condition(error)
    assert not cancelled_by_condition(error)
    assert not cancelled_by_condition(error, 0)
