"""DynamoDBStore's erase jobs (domain/erase_jobs.py): an `ERASEJOB#<id>` item each.

A job waiting for the sweeper is on the `due` index (`due_shard = ERASE#pending`,
`due_at` its next run), as timers and queued mail are, so a sweep finds it with the one
Query it may make and costs O(due); a finished job leaves the index. Every job is on
`gsi1` (`ERASEJOBS`, newest first by `gsi1sk = <requested_at>#<id>`) for the desk's list.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from loket.domain.errors import VersionConflict
from loket.storage.dynamodb_conditions import lost_condition
from loket.storage.records import utc_iso

if TYPE_CHECKING:
    from loket.domain.erase_jobs import EraseJob

PENDING_SHARD = "ERASE#pending"
JOB_PREFIX = "ERASEJOB#"
JOBS_INDEX_KEY = "ERASEJOBS"


class DynamoDBEraseJobs:
    """Mixed into DynamoDBStore; expects its client and table_name."""

    def create_erase_job(self, job: EraseJob) -> None:
        self.client.put_item(TableName=self.table_name, Item=_to_item(job_item(job)),
                             ConditionExpression="attribute_not_exists(pk)")

    def save_erase_job(self, job: EraseJob, *, expected_version: int) -> EraseJob:
        from dataclasses import replace

        saved = replace(job, version=expected_version + 1)
        try:
            self.client.put_item(TableName=self.table_name, Item=_to_item(job_item(saved)),
                                 ConditionExpression="version = :v",
                                 ExpressionAttributeValues=_to_item({":v": expected_version}))
        except ClientError as error:
            if lost_condition(error):
                raise VersionConflict(f"erase job {job.id} changed meanwhile") from None
            raise
        return saved

    def get_erase_job(self, job_id: str) -> EraseJob | None:
        item = self.client.get_item(TableName=self.table_name, ConsistentRead=True,
                                    Key=_to_item(_job_key(job_id))).get("Item")
        return _job_from_item(item) if item else None

    def due_erase_jobs(self, now: datetime, limit: int = 10) -> list[EraseJob]:
        """Jobs due at `now`, from the index's copy (which may be behind: the sweeper
        saves under the version check, so a stale copy only loses a race)."""
        response = self.client.query(
            TableName=self.table_name, IndexName="due", Limit=limit,
            KeyConditionExpression="due_shard = :shard AND due_at <= :now",
            ExpressionAttributeValues=_to_item({":shard": PENDING_SHARD,
                                                ":now": utc_iso(now)}))
        return [_job_from_item(item) for item in response["Items"]]

    def list_erase_jobs(self, limit: int = 50) -> list[EraseJob]:
        response = self.client.query(
            TableName=self.table_name, IndexName="gsi1", Limit=limit,
            ScanIndexForward=False, KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=_to_item({":pk": JOBS_INDEX_KEY}))
        return [_job_from_item(item) for item in response["Items"]]


def job_item(job: EraseJob) -> dict[str, Any]:
    from loket.domain.erase_jobs import job_to_record

    record = job_to_record(job)
    item = {**_job_key(job.id), **{k: v for k, v in record.items() if v is not None},
            "gsi1pk": JOBS_INDEX_KEY, "gsi1sk": f"{record['requested_at']}#{job.id}"}
    if record["due_at"]:
        item["due_shard"] = PENDING_SHARD
    return item


def is_job_item(item: dict[str, Any]) -> bool:
    return str(item.get("pk", "")).startswith(JOB_PREFIX)


def _job_from_item(item: dict[str, Any]) -> EraseJob:
    # The domain's erase jobs come with the first job read or written, not with the
    # store: a cold start of the http function (mostly a submission) reads none.
    from loket.domain.erase_jobs import job_from_record

    return job_from_record(_from_item(item))


def _job_key(job_id: str) -> dict[str, str]:
    return {"pk": f"{JOB_PREFIX}{job_id}", "sk": "ERASEJOB"}


def _to_item(values: dict[str, Any]) -> dict[str, Any]:
    from loket.storage.dynamodb import _to_item as to_item

    return to_item(values)


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    from loket.storage.dynamodb import _from_item as from_item

    return from_item(item)
