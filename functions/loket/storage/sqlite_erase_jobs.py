"""SQLiteStore's erase jobs (domain/erase_jobs.py): one row a job, the record as JSON
beside the columns the sweeper and the desk select on."""

from __future__ import annotations

import json
from datetime import datetime

from loket.domain.erase_jobs import EraseJob, JobState, job_from_record, job_to_record
from loket.domain.errors import VersionConflict
from loket.storage.records import utc_iso

ERASE_JOBS_MIGRATION = """
    CREATE TABLE IF NOT EXISTS erase_jobs (
        id TEXT PRIMARY KEY, requested_at TEXT NOT NULL, due_at TEXT,
        version INTEGER NOT NULL, record TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS erase_jobs_due ON erase_jobs(due_at) WHERE due_at IS NOT NULL;
"""


class SQLiteEraseJobs:
    """Mixed into SQLiteStore; expects its _connection() and _write()."""

    def create_erase_job(self, job: EraseJob) -> None:
        record = job_to_record(job)
        with self._write() as conn:
            conn.execute("INSERT INTO erase_jobs VALUES (?, ?, ?, ?, ?)",
                         (job.id, record["requested_at"], record["due_at"], job.version,
                          json.dumps(record, sort_keys=True)))

    def save_erase_job(self, job: EraseJob, *, expected_version: int) -> EraseJob:
        """Store `job` as version expected_version + 1, or raise VersionConflict."""
        saved = _next_version(job, expected_version)
        record = job_to_record(saved)
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE erase_jobs SET due_at = ?, version = ?, record = ? "
                "WHERE id = ? AND version = ?",
                (record["due_at"], saved.version, json.dumps(record, sort_keys=True),
                 job.id, expected_version)).rowcount
        if not changed:
            raise VersionConflict(f"erase job {job.id} changed meanwhile")
        return saved

    def get_erase_job(self, job_id: str) -> EraseJob | None:
        row = self._connection().execute(
            "SELECT record FROM erase_jobs WHERE id = ?", (job_id,)).fetchone()
        return job_from_record(json.loads(row[0])) if row else None

    def due_erase_jobs(self, now: datetime, limit: int = 10) -> list[EraseJob]:
        rows = self._connection().execute(
            "SELECT record FROM erase_jobs WHERE due_at IS NOT NULL AND due_at <= ? "
            "ORDER BY due_at, id LIMIT ?", (utc_iso(now), limit)).fetchall()
        return [job_from_record(json.loads(row[0])) for row in rows]

    def list_erase_jobs(self, limit: int = 50) -> list[EraseJob]:
        rows = self._connection().execute(
            "SELECT record FROM erase_jobs ORDER BY requested_at DESC, id DESC LIMIT ?",
            (limit,)).fetchall()
        return [job_from_record(json.loads(row[0])) for row in rows]


def _next_version(job: EraseJob, expected_version: int) -> EraseJob:
    from dataclasses import replace

    if job.state is JobState.DONE and job.address is not None:
        raise ValueError("a finished erase job keeps no address")
    return replace(job, version=expected_version + 1)
