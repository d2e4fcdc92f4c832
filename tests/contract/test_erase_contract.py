"""Erasing a person (services/erase.py) on SQLite and DynamoDB, with their files in the
folder store or S3: afterwards no row, item or blob holds their address or name, and
their tickets are still there to count."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest

from loket.blobs.folder import FolderBlobs
from loket.domain.accounts import OneTimeToken, Session, TokenPurpose
from loket.services.erase import REMOVED_TEXT, erase_person
from loket.storage.data_port import data_port
from tests.contract.test_store_contract import T0
from tests.sample_data import FILE_ID, PERSON, PERSON_NAME, fill
from tests.stores import AWS_REGION

BUCKET = "loket-erase-test"


@pytest.fixture
def blobs(store, tmp_path):
    if store.__class__.__name__ == "DynamoDBStore":
        from loket.blobs.s3 import S3Blobs

        boto3.client("s3", region_name=AWS_REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
        return S3Blobs(BUCKET, region=AWS_REGION)
    return FolderBlobs(tmp_path / "blobs", secret_key="test")


def everything(store, blobs) -> list[str]:
    """Every row of every table, or every item of the table, and every blob, as text."""
    if store.__class__.__name__ == "DynamoDBStore":
        pages = store.client.get_paginator("scan").paginate(TableName=store.table_name)
        found = [json.dumps(item, ensure_ascii=False) for page in pages for item in page["Items"]]
    else:
        conn = store._connection()
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = [json.dumps([*row], ensure_ascii=False, default=str)
                 for table in tables for row in conn.execute(f"SELECT * FROM {table}")]
    for prefix in ("attachments/", "thumbnails/", "uploads/", "refused/"):
        found += [blobs.read(info.key).decode("utf-8", "replace")
                  for info in blobs.list_blobs(prefix)]
    return found


def traces(store, blobs) -> list[str]:
    needles = (PERSON, PERSON_NAME[1], " ".join(PERSON_NAME))
    return [text for text in everything(store, blobs)
            if any(n.casefold() in text.casefold() for n in needles)]


def with_sessions(store) -> None:
    store.create_session(Session("s" * 64, PERSON, "csrf", 0, T0, T0 + timedelta(days=30)))
    store.create_token(OneTimeToken("t" * 64, TokenPurpose.PASSWORD_RESET, PERSON, T0,
                                    T0 + timedelta(days=300)))
    store.count_hit(f"submit:{PERSON}", T0, T0 + timedelta(days=300))


def test_nothing_of_the_person_is_left_and_their_tickets_still_count(store, blobs):
    made = fill(store, blobs)
    with_sessions(store)
    assert traces(store, blobs)  # the search finds them before
    erasure = erase_person(store, data_port(store), blobs, PERSON.upper(), messages=True)
    assert traces(store, blobs) == []
    mine = store.get_ticket(made["mine"].number)
    assert mine.email == erasure.placeholder and mine.subject == REMOVED_TEXT
    texts = [m.body for m in store.list_messages(mine.number)]
    assert texts == [REMOVED_TEXT, "Hello Zoë, try again.", REMOVED_TEXT]
    assert all(not m.attachments for m in store.list_messages(mine.number))
    assert store.get_account(PERSON) is None and store.get_suppression(PERSON) is None
    assert store.get_refused("r1") is None
    assert store.get_rating(mine.number).comment == ""
    assert store.get_session("s" * 64, T0) is None
    assert store.get_token("t" * 64, TokenPurpose.PASSWORD_RESET, T0) is None
    assert blobs.size(f"attachments/{FILE_ID}") is None
    assert erasure.removed["accounts"] == 1 and erasure.blobs == 3
    # The record of their lifted suppression goes; the ticket stays linked to its issue.
    assert store.suppression_lifts(PERSON) == [] and erasure.removed["suppression_lifts"] == 1
    assert store.known_issue_tickets("PLN-142") == [mine.number]


def test_a_suppression_they_lifted_keeps_its_record_without_them(store, blobs):
    """Someone else's lift that names the person (they lifted it) is rewritten: the
    record stays, once, with the placeholder as who lifted it."""
    from loket.domain.outgoing import Suppression

    fill(store, blobs)
    store.suppress_address(Suppression("ann@example.com", "bounce", "full", T0))
    store.lift_suppression("ann@example.com", lifted_by=PERSON,
                           lifted_at=T0 + timedelta(days=1), note=f"asked by {PERSON}")
    erasure = erase_person(store, data_port(store), blobs, PERSON)
    [lift] = store.suppression_lifts("ann@example.com")
    assert lift.lifted_by == erasure.placeholder
    assert lift.note == f"asked by {erasure.placeholder}"
    assert lift.suppression.detail == "full"
    assert traces(store, blobs) == []


def test_without_messages_their_words_stay_but_not_their_address(store, blobs):
    made = fill(store, blobs)
    erase_person(store, data_port(store), blobs, PERSON)
    mine = store.get_ticket(made["mine"].number)
    assert mine.subject == "Zoë's export fails"
    assert [m.body for m in store.list_messages(mine.number)][2] == "Still broken."
    assert traces(store, blobs) == []


def test_others_are_left_as_they_were(store, blobs):
    made = fill(store, blobs)
    other = made["other"].number
    before = (store.get_ticket(other), store.list_messages(other),
              store.get_account("bob@example.com"), store.get_organization("acme"))
    erase_person(store, data_port(store), blobs, PERSON, messages=True)
    assert (store.get_ticket(other), store.list_messages(other),
            store.get_account("bob@example.com"), store.get_organization("acme")) == before
    assert [m.to for m in store.list_mail(pending=True)] == ["ann@example.com"]


def test_erasing_an_unknown_address_changes_nothing(store, blobs):
    fill(store, blobs)
    before = sorted(everything(store, blobs))
    erasure = erase_person(store, data_port(store), blobs, "nobody@example.net")
    assert sorted(everything(store, blobs)) == before
    assert not any(erasure.rewritten.values()) and erasure.blobs == 0
