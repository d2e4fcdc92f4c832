"""DynamoDB infrastructure, not behaviour (that is test_store_contract.py): what each
store call costs in requests, and that throttled or conflicting requests are retried.
Run with -s to see the request counts that storage/dynamodb.md quotes."""

from __future__ import annotations

import io
import json
import types
from datetime import timedelta

import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse

from tests.contract.test_store_contract import T0, new_ticket
from tests.stores import make_store, store_sandbox

# The requests each store call makes, in order. A change here is a change in cost:
# update dynamodb.md with it.
EXPECTED_REQUESTS = {
    "create_ticket": ["UpdateItem", "TransactWriteItems"],
    "create_ticket with key": ["GetItem", "UpdateItem", "TransactWriteItems"],
    "create_ticket retry, same key": ["GetItem", "GetItem"],
    "get_ticket": ["GetItem"],
    "list_messages": ["Query"],
    "count_hit": ["UpdateItem"],
    "due_tickets": ["Query"] * 4,
}


@pytest.fixture
def dynamodb_store(tmp_path, monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        yield make_store("dynamodb", tmp_path)


def record_calls(client) -> list[str]:
    """The name of every API call the client makes from now on (once per call, however
    many attempts botocore's retries take). before-parameter-build rather than
    before-call: every handler hears it, even when a test answers a call itself."""
    calls: list[str] = []
    client.meta.events.register("before-parameter-build.dynamodb",
                                lambda model, **_: calls.append(model.name))
    return calls


def test_each_store_call_costs_a_small_fixed_number_of_requests(dynamodb_store):
    store = dynamodb_store
    calls = record_calls(store.client)
    window = T0.replace(minute=0)
    measured: dict[str, list[str]] = {}

    def measure(name, call):
        calls.clear()
        result = call()
        measured[name] = list(calls)
        return result

    ticket, _ = measure("create_ticket", lambda: store.create_ticket(new_ticket()))
    measure("create_ticket with key",
            lambda: store.create_ticket(new_ticket(), idempotency_key="k", fingerprint="f"))
    measure("create_ticket retry, same key",
            lambda: store.create_ticket(new_ticket(), idempotency_key="k", fingerprint="f"))
    measure("get_ticket", lambda: store.get_ticket(ticket.number))
    measure("list_messages", lambda: store.list_messages(ticket.number))
    measure("count_hit",
            lambda: store.count_hit("ip:1", window, window + timedelta(hours=2)))
    measure("due_tickets", lambda: store.due_tickets(T0))

    print("\nDynamoDB requests per store call:")
    for name, requests in measured.items():
        print(f"  {name:30} {len(requests)}  {' + '.join(requests)}")
    assert measured == EXPECTED_REQUESTS


# -- retries ---------------------------------------------------------------------------

class _Body(io.BytesIO):
    def stream(self, **_):
        yield self.getvalue()


def error_response(request, status: int, code: str, **fields) -> AWSResponse:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
            "message": "injected by the test", **fields}
    return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.0"},
                       _Body(json.dumps(body).encode()))


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """botocore's backoff delays, recorded instead of slept so the test stays fast."""
    delays: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time",
                        types.SimpleNamespace(sleep=delays.append))
    return delays


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException",
                                  "ThrottlingException"])
def test_throttled_requests_are_retried_with_backoff(dynamodb_store, sleeps, code):
    store = dynamodb_store
    ticket, _ = store.create_ticket(new_ticket())
    attempts = []

    def throttle_twice(request, **_):
        attempts.append(request)
        return error_response(request, 400, code) if len(attempts) <= 2 else None

    # A read: botocore still hands a refused attempt to moto's handler too, so a
    # throttled write would be applied behind the error. register_first: our answer
    # must come before moto's.
    store.client.meta.events.register_first("before-send.dynamodb.GetItem", throttle_twice)
    assert store.get_ticket(ticket.number) == ticket
    assert len(attempts) == 3
    assert len(sleeps) == 2 and all(delay > 0 for delay in sleeps)


def test_a_transaction_conflict_is_retried_with_the_same_number(dynamodb_store,
                                                                monkeypatch):
    """DynamoDB cancels a transaction that touches an item another transaction holds;
    botocore does not retry that, the store does. moto never conflicts, so the test
    answers the first TransactWriteItems itself (before-call: moto never sees it)."""
    store = dynamodb_store
    pauses: list[float] = []
    monkeypatch.setattr("loket.storage.dynamodb.time",
                        types.SimpleNamespace(sleep=pauses.append))
    transactions = []

    def conflict_once(**_):
        transactions.append(1)
        if len(transactions) > 1:
            return None
        reasons = [{"Code": "None"}, {"Code": "None"}, {"Code": "TransactionConflict"}]
        parsed = {"Error": {"Code": "TransactionCanceledException", "Message": "injected"},
                  "CancellationReasons": reasons,
                  "ResponseMetadata": {"HTTPStatusCode": 400}}
        return types.SimpleNamespace(status_code=400), parsed

    store.client.meta.events.register_first("before-call.dynamodb.TransactWriteItems",
                                            conflict_once)
    calls = record_calls(store.client)
    ticket, created = store.create_ticket(new_ticket(), idempotency_key="k",
                                          fingerprint="f")
    assert calls == ["GetItem", "UpdateItem", "TransactWriteItems", "GetItem",
                     "TransactWriteItems"]
    assert created and ticket.number == 10001 and len(pauses) == 1
    assert store.get_ticket(10001) == ticket
