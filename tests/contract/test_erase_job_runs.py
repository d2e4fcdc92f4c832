"""The desk's erase job run by the sweeper (services/erase_jobs.py) on SQLite and
DynamoDB with a fixed clock: chunk by chunk to the end, resumed after a crash, and then
nothing of the person is left in the store or the blob store; the job keeps the counts
and who asked, never the address."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from loket.clock import FixedClock
from loket.domain.erase_jobs import JobState, address_hash
from loket.domain.errors import ValidationFailed
from loket.services.erase_jobs import LEASE, request_erase, run_erase_jobs
from tests.contract.test_erase_contract import blobs, everything, traces, with_sessions  # noqa: F401
from tests.contract.test_store_contract import T0
from tests.sample_data import PERSON, fill

ADMIN = "admin@vendor.example"


@pytest.fixture
def services(store, blobs):  # noqa: F811
    return SimpleNamespace(store=store, blobs=blobs, clock=FixedClock(T0))


def queue_job(services, **options):
    return request_erase(services, PERSON.upper(), confirm=PERSON, requested_by=ADMIN,
                         messages=options.get("messages", True))


def test_the_sweeper_runs_a_job_to_the_end_in_chunks(services):
    made = fill(services.store, services.blobs)
    with_sessions(services.store)
    job = queue_job(services)
    # Nothing happens in the request: the person is all there until a sweep.
    assert traces(services.store, services.blobs)
    report = run_erase_jobs(services, T0, chunk=2)
    assert report.finished == 1 and report.chunks > 2
    assert traces(services.store, services.blobs) == []
    done = services.store.get_erase_job(job.id)
    assert done.state is JobState.DONE and done.address is None and done.names == ()
    assert done.address_hash == address_hash(PERSON) and done.requested_by == ADMIN
    assert done.removed["accounts"] == 1 and done.blobs == 3
    assert services.store.get_ticket(made["mine"].number).email == job.placeholder
    # A done job is never run again.
    assert run_erase_jobs(services, T0 + timedelta(days=1)).chunks == 0


def test_a_crash_mid_job_is_resumed_after_the_lease(services):
    fill(services.store, services.blobs)
    job = queue_job(services)
    # The first sweep dies after two chunks: its progress is saved, the job leased.
    first = run_erase_jobs(services, T0, chunk=2, max_chunks=2)
    assert first.more and first.chunks == 2
    halfway = services.store.get_erase_job(job.id)
    assert halfway.chunks == 2 and halfway.cursor is not None and not halfway.done
    # Simulate the crash: the saved state as a dead sweep leaves it (leased).
    services.store.save_erase_job(
        halfway.__class__(**{**halfway.__dict__, "due_at": T0 + LEASE}),
        expected_version=halfway.version)
    assert run_erase_jobs(services, T0 + timedelta(minutes=1), chunk=2).chunks == 0
    # After the lease the next sweep goes on from the saved cursor, not from the start.
    later = run_erase_jobs(services, T0 + LEASE, chunk=2)
    assert later.finished == 1
    done = services.store.get_erase_job(job.id)
    assert done.chunks == halfway.chunks + later.chunks
    assert traces(services.store, services.blobs) == []


def test_a_chunk_run_twice_does_nothing_twice(services):
    """A sweep that died after a chunk's writes but before saving the job: the next
    one runs that chunk again, which finds nothing left to do."""
    from loket.services.erase import Eraser, erase_chunk
    from loket.storage.data_port import data_port

    fill(services.store, services.blobs)
    job = queue_job(services)
    port = data_port(services.store)
    first = Eraser(job.address, list(job.names), job.placeholder, services.blobs,
                   messages=True)
    cursor = erase_chunk(port, first, None, limit=100)
    before = sorted(everything(services.store, services.blobs))
    again = Eraser(job.address, list(job.names), job.placeholder, services.blobs,
                   messages=True)
    assert erase_chunk(port, again, None, limit=100) == cursor
    assert sorted(everything(services.store, services.blobs)) == before
    assert not any(again.erasure.removed.values()) and not any(again.erasure.rewritten.values())
    assert again.erasure.blobs == 0


def test_a_wrong_confirmation_queues_nothing(services):
    fill(services.store, services.blobs)
    with pytest.raises(ValidationFailed) as refused:
        request_erase(services, PERSON, confirm="someone@else.example", requested_by=ADMIN,
                      messages=False)
    assert [e.field for e in refused.value.errors] == ["confirm"]
    assert services.store.list_erase_jobs() == []


def test_the_lease_runs_from_the_last_saved_chunk(services, monkeypatch):
    """A sweep with no deadline (`loket serve`) may run a job past LEASE: each saved
    chunk holds the job for LEASE from then, so no other sweep takes it up meanwhile."""
    import loket.services.erase_jobs as erase_jobs

    fill(services.store, services.blobs)
    job = queue_job(services)
    leases = []
    real_chunk = erase_jobs.erase_chunk

    def slow_chunk(port, eraser, cursor, *, limit):
        if cursor is not None:  # the job as the last chunk's save left it
            leases.append(services.store.get_erase_job(job.id).due_at
                          - services.clock.now())
        services.clock.move(minutes=4)  # chunks slower than LEASE together
        return real_chunk(port, eraser, cursor, limit=limit)

    monkeypatch.setattr(erase_jobs, "erase_chunk", slow_chunk)
    report = run_erase_jobs(services, T0, chunk=2)
    assert report.finished == 1 and report.chunks > 2
    assert leases and all(lease == LEASE for lease in leases)


def test_a_job_taken_over_by_another_sweep_is_left_to_it(services, monkeypatch):
    """A sweep that outlived its lease loses its next save to the sweep that took the
    job over: it leaves the job to that one and goes on with the next job."""
    import loket.services.erase_jobs as erase_jobs

    fill(services.store, services.blobs)
    first = queue_job(services)
    services.clock.move(seconds=1)
    second = request_erase(services, "nobody@example.org", confirm="nobody@example.org",
                           requested_by=ADMIN, messages=False)
    real_chunk = erase_jobs.erase_chunk

    def taken_over(port, eraser, cursor, *, limit):
        stored = services.store.get_erase_job(first.id)
        if eraser.address == first.address and stored.chunks == 1:
            services.store.save_erase_job(stored, expected_version=stored.version)
        return real_chunk(port, eraser, cursor, limit=limit)

    monkeypatch.setattr(erase_jobs, "erase_chunk", taken_over)
    report = run_erase_jobs(services, services.clock.now(), chunk=2)
    assert not services.store.get_erase_job(first.id).done
    assert services.store.get_erase_job(second.id).done and report.finished == 1


def test_a_second_erasure_of_a_waiting_address_is_refused(services):
    """A double submit, or a second admin, finds the first job: a second one would find
    nothing left and could keep texts the first was asked to remove. Once the first is
    done, the address may be asked for again (a new account of the same person)."""
    fill(services.store, services.blobs)
    first = queue_job(services, messages=False)
    services.clock.move(seconds=30)
    with pytest.raises(ValidationFailed) as refused:
        queue_job(services, messages=True)
    assert [e.field for e in refused.value.errors] == ["address"]
    assert [job.id for job in services.store.list_erase_jobs()] == [first.id]

    run_erase_jobs(services, services.clock.now())  # claims it: still refused meanwhile
    assert services.store.get_erase_job(first.id).done
    assert queue_job(services).id != first.id
