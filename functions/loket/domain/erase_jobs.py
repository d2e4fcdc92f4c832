"""An erase job: an agent's request to erase a person (the desk's erase action), kept in
the store until the sweeper has run it to the end in bounded chunks (services/erase_jobs.py).

While it waits or runs it holds the person's address and names: the work needs them.
When it is done they go, and only the address's SHA-256 (`address_hash`) and the
erasure's placeholder stay, with who asked, when and what was removed: the audit
record, which names no one. (A hash of an address can be checked against a guess; it is
kept so that an operator asked "was this person erased?" can answer, not to hide the
address from someone who knows it.)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    PENDING = "pending"    # waits for the sweeper, or is between two chunks
    DONE = "done"


@dataclass(frozen=True)
class EraseJob:
    id: str
    requested_by: str
    requested_at: datetime
    placeholder: str           # chosen once: every chunk rewrites the person as the same one
    messages: bool             # their messages' text goes too (--messages)
    address: str | None        # None once done
    address_hash: str
    # Their full and last name, read from the account when the job was made (a later
    # chunk runs after the account has gone); emptied once done.
    names: tuple[str, ...] = ()
    state: JobState = JobState.PENDING
    due_at: datetime | None = None   # when the sweeper takes it up next; None once done
    cursor: str | None = None        # where the next chunk starts (the store's own mark)
    chunks: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    rewritten: dict[str, int] = field(default_factory=dict)
    blobs: int = 0
    finished_at: datetime | None = None
    version: int = 1

    @property
    def done(self) -> bool:
        return self.state is JobState.DONE

    def finished(self, at: datetime) -> "EraseJob":
        """The audit record: the address gone, its hash and the counts kept."""
        return replace(self, state=JobState.DONE, address=None, names=(), due_at=None,
                       cursor=None, finished_at=at)


def address_hash(address: str) -> str:
    return hashlib.sha256(address.casefold().encode("utf-8")).hexdigest()


def job_to_record(job: EraseJob) -> dict[str, Any]:
    """Plain values both stores keep (counts as JSON text)."""
    from loket.storage.records import utc_iso  # the stores' one way to write a moment

    return {"id": job.id, "requested_by": job.requested_by,
            "requested_at": utc_iso(job.requested_at), "placeholder": job.placeholder,
            "messages": job.messages, "address": job.address,
            "names": json.dumps(list(job.names)),
            "address_hash": job.address_hash, "state": job.state.value,
            "due_at": utc_iso(job.due_at) if job.due_at else None, "cursor": job.cursor,
            "chunks": job.chunks,
            "counts": json.dumps({"removed": job.removed, "rewritten": job.rewritten,
                                  "blobs": job.blobs}, sort_keys=True),
            "finished_at": utc_iso(job.finished_at) if job.finished_at else None,
            "version": job.version}


def job_from_record(record: dict[str, Any]) -> EraseJob:
    counts = json.loads(record["counts"])
    moment = lambda value: datetime.fromisoformat(value) if value else None  # noqa: E731
    return EraseJob(
        id=record["id"], requested_by=record["requested_by"],
        requested_at=datetime.fromisoformat(record["requested_at"]),
        placeholder=record["placeholder"], messages=bool(record["messages"]),
        address=record.get("address") or None, address_hash=record["address_hash"],
        names=tuple(json.loads(record.get("names") or "[]")),
        state=JobState(record["state"]), due_at=moment(record.get("due_at")),
        cursor=record.get("cursor") or None, chunks=int(record["chunks"]),
        removed={k: int(v) for k, v in counts["removed"].items()},
        rewritten={k: int(v) for k, v in counts["rewritten"].items()},
        blobs=int(counts["blobs"]), finished_at=moment(record.get("finished_at")),
        version=int(record["version"]))
