"""query_items (storage/dynamodb_pages.py) reads every page of a Query, as botocore's
paginator did, under moto."""

from __future__ import annotations

import boto3

from loket.storage.dynamodb import create_table
from loket.storage.dynamodb_pages import query_items
from tests.stores import AWS_REGION


def test_every_page_of_a_query_is_read_in_order(aws, dynamodb_calls):
    client = boto3.client("dynamodb", region_name=AWS_REGION)
    create_table(client, "pages")
    for n in range(5):
        client.put_item(TableName="pages", Item={"pk": {"S": "P"}, "sk": {"S": f"item{n}"}})
    dynamodb_calls.clear()

    items = list(query_items(client, TableName="pages", KeyConditionExpression="pk = :pk",
                             ExpressionAttributeValues={":pk": {"S": "P"}}, Limit=2))

    assert [item["sk"]["S"] for item in items] == [f"item{n}" for n in range(5)]
    assert dynamodb_calls["Query"] == 3  # pages of 2, 2 and 1


def test_an_empty_query_is_one_request(aws, dynamodb_calls):
    client = boto3.client("dynamodb", region_name=AWS_REGION)
    create_table(client, "pages")
    dynamodb_calls.clear()

    assert list(query_items(client, TableName="pages", KeyConditionExpression="pk = :pk",
                            ExpressionAttributeValues={":pk": {"S": "none"}})) == []
    assert dynamodb_calls["Query"] == 1
