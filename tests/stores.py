"""Factories for every store adapter; the contract suite runs against each of them."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

STORE_KINDS = ["sqlite", "dynamodb"]

DYNAMODB_TABLE = "loket-test"
AWS_REGION = "eu-west-1"

_open_sandboxes = 0

# Real DynamoDB applies each request atomically; moto does not: an UpdateItem is an
# unguarded read-modify-write, and a TransactWriteItems deep-copies the whole table and
# puts the copy back on cancellation, dropping what other threads wrote meanwhile. So
# the sandbox lets moto answer one request at a time. Requests still interleave between
# calls, which is where the races the contract tests look for live.
_moto_lock = threading.Lock()


@contextmanager
def store_sandbox(kind: str, monkeypatch: pytest.MonkeyPatch):
    """What a store of `kind` needs around it for one test. For DynamoDB: fake AWS
    credentials and moto's mock, so no request can ever reach real AWS."""
    global _open_sandboxes
    if kind != "dynamodb":
        yield
        return
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    process_request = BotocoreStubber.process_request

    def one_at_a_time(self, request):
        with _moto_lock:
            return process_request(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    fake_environment = {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": AWS_REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        # Never read the developer's own profiles, keys or endpoints.
        "AWS_CONFIG_FILE": "/nonexistent/aws/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws/credentials",
    }
    for name, value in fake_environment.items():
        monkeypatch.setenv(name, value)
    # An endpoint from the environment would send requests past moto, to a real host.
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        _open_sandboxes += 1
        try:
            yield
        finally:
            _open_sandboxes -= 1


def make_store(kind: str, tmp_path: Path, **options):
    if kind == "sqlite":
        from loket.storage.sqlite import SQLiteStore

        return SQLiteStore(tmp_path / "loket.db", **options)
    if kind == "dynamodb":
        from loket.storage.dynamodb import DynamoDBStore, create_table

        if not _open_sandboxes:
            raise RuntimeError("make_store('dynamodb') runs inside store_sandbox() only")
        store = DynamoDBStore(DYNAMODB_TABLE, region=AWS_REGION, **options)
        create_table(store.client, DYNAMODB_TABLE)
        return store
    raise ValueError(f"unknown store kind {kind!r}")


def audited_events(ticket, expected_version: int) -> list:
    """One "updated" event by a test, for saving `ticket` over `expected_version`."""
    from loket.domain.events import EventKind, TicketEvent, event_key
    from loket.domain.tickets import AuthorRole

    return [TicketEvent(ticket.number, ticket.updated_at, "test", AuthorRole.SYSTEM,
                        EventKind.UPDATED, {},
                        event_key(ticket.updated_at, expected_version + 1, 0))]


def save_audited(store, ticket, *, expected_version: int, events=None, **options):
    """store.save_ticket with one "updated" event by a test, for tests about something
    else than the timeline (a store takes no change without its events)."""
    if events is None:
        events = audited_events(ticket, expected_version)
    return store.save_ticket(ticket, expected_version=expected_version, events=events,
                             **options)
