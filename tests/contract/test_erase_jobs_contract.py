"""Erase jobs in the store (storage/*_erase_jobs.py) on SQLite and DynamoDB: created,
found when due (and only then), progress saved under a version check, finished with
the address gone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from loket.domain.erase_jobs import EraseJob, JobState, address_hash
from loket.domain.errors import VersionConflict
from tests.contract.test_store_contract import T0


def job(job_id: str = "j1", *, at=T0, address: str = "zoe@example.com") -> EraseJob:
    return EraseJob(id=job_id, requested_by="agent@vendor.example", requested_at=at,
                    placeholder="erased-abc@erased.invalid", messages=True, address=address,
                    address_hash=address_hash(address), due_at=at)


def test_a_job_is_stored_and_read_back(store):
    store.create_erase_job(job())
    assert store.get_erase_job("j1") == job()
    assert store.get_erase_job("nope") is None


def test_only_jobs_due_are_found(store):
    store.create_erase_job(job("early", at=T0))
    store.create_erase_job(job("late", at=T0 + timedelta(hours=1)))
    assert [j.id for j in store.due_erase_jobs(T0 + timedelta(minutes=1))] == ["early"]
    assert [j.id for j in store.due_erase_jobs(T0 + timedelta(hours=2))] == ["early", "late"]
    assert store.due_erase_jobs(T0 - timedelta(seconds=1)) == []


def test_progress_is_saved_under_a_version_check(store):
    store.create_erase_job(job())
    stored = store.get_erase_job("j1")
    moved = replace(stored, cursor="after-page-1", chunks=1, removed={"accounts": 1},
                    rewritten={"tickets": 3}, blobs=2, due_at=T0 + timedelta(seconds=1))
    saved = store.save_erase_job(moved, expected_version=stored.version)
    assert saved.version == stored.version + 1
    assert store.get_erase_job("j1") == saved
    # A second sweeper that read the old version loses: its chunk is not recorded twice.
    with pytest.raises(VersionConflict):
        store.save_erase_job(replace(stored, chunks=5), expected_version=stored.version)
    assert store.get_erase_job("j1").chunks == 1


def test_a_finished_job_keeps_its_counts_but_not_the_address(store):
    store.create_erase_job(job())
    stored = store.get_erase_job("j1")
    done = replace(stored, removed={"accounts": 1}, blobs=3).finished(T0 + timedelta(minutes=3))
    store.save_erase_job(done, expected_version=stored.version)
    got = store.get_erase_job("j1")
    assert got.state is JobState.DONE and got.address is None and got.due_at is None
    assert got.address_hash == address_hash("Zoe@Example.com")
    assert got.removed == {"accounts": 1} and got.blobs == 3
    assert got.finished_at == T0 + timedelta(minutes=3)
    assert store.due_erase_jobs(T0 + timedelta(days=1)) == []


def test_the_list_holds_every_job_newest_first(store):
    for n in range(3):
        store.create_erase_job(job(f"j{n}", at=T0 + timedelta(minutes=n)))
    first = store.get_erase_job("j0")
    store.save_erase_job(first.finished(T0 + timedelta(hours=1)), expected_version=first.version)
    assert [j.id for j in store.list_erase_jobs()] == ["j2", "j1", "j0"]
    assert [j.id for j in store.list_erase_jobs(limit=2)] == ["j2", "j1"]
