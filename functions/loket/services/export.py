"""Take everything out of a store into a folder, and put a folder into a store (either
kind): `loket export`, `loket import` and `loket migrate`. The format is in
export_format.py; each store's side is its DataPort (storage/data_port.py).

Both directions stream: a batch of records at a time, blobs copied in chunks. An import
is resumable: the store keeps an `import#<export id>` counter while one runs, so running
it again after a crash is let in although the store is no longer empty, and every write
is keyed by what names the record (ticket number, mail id, ...), so nothing doubles.
"""

from __future__ import annotations

import json
import mimetypes
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from loket.services.export_format import (BLOB_PREFIXES, BLOBS, KINDS, SECRET_FIELDS, Digest,
                                          ExportFormatError, Manifest, blob_path,
                                          canonical_line, file_name, file_sha256, read_lines,
                                          verify)

Progress = Callable[[str, int], None]
PROGRESS_EVERY = 1000
IMPORT_BATCH = 100


class ImportRefused(Exception):
    """The store is not one this import may write into; the message says why."""


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{kind} {count}" for kind, count in self.counts.items() if count]
        return ", ".join(parts) or "nothing"


def export_data(port, blobs, folder: Path, *, source: str, with_secrets: bool = False,
                progress: Progress | None = None,
                now: datetime | None = None) -> Manifest:
    """Write the store's records and blobs to `folder` (new or empty), manifest last."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise ExportFormatError(f"{folder}: not empty; export into a new folder")
    moment = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    manifest = Manifest(id=uuid.uuid4().hex, created_at=moment, source=source,
                        with_secrets=with_secrets)
    with _Writers(folder) as writers:
        for kind, record in port.export_records():
            if not with_secrets:
                record = _without_secrets(kind, record)
            count = writers.write(kind, canonical_line(record))
            if progress and count % PROGRESS_EVERY == 0:
                progress(kind, count)
        if blobs is not None:
            for key in _blob_keys(blobs):
                path = blob_path(folder, key)
                path.parent.mkdir(parents=True, exist_ok=True)
                with blobs.open(key) as stream, path.open("wb") as out:
                    shutil.copyfileobj(stream, out, 1024 * 1024)
                writers.write(BLOBS, canonical_line(
                    {"key": key, "size": path.stat().st_size, "sha256": file_sha256(path)}))
        manifest.files = writers.summary()
    manifest.write(folder)
    return manifest


def _blob_keys(blobs) -> Iterator[str]:
    for prefix in BLOB_PREFIXES:
        for info in blobs.list_blobs(prefix):
            yield info.key


def _without_secrets(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    secret = SECRET_FIELDS.get(kind, ())
    return {k: (None if k in secret else v) for k, v in record.items()}


class _Writers:
    """One open file and digest per kind, opened when the first record comes."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, Any] = {}
        self.digests: dict[str, Digest] = {}

    def __enter__(self) -> "_Writers":
        return self

    def __exit__(self, *exc) -> None:
        for stream in self.files.values():
            stream.close()

    def write(self, kind: str, line: bytes) -> int:
        if kind not in self.files:
            self.files[kind] = (self.folder / file_name(kind)).open("wb")
            self.digests[kind] = Digest()
        self.files[kind].write(line)
        self.digests[kind].add(line)
        return self.digests[kind].count

    def summary(self) -> dict[str, dict[str, Any]]:
        return {file_name(kind): {"count": d.count, "digest": d.hex}
                for kind, d in sorted(self.digests.items())}


# -- import -------------------------------------------------------------------------------

def import_data(store, port, blobs, folder: Path, *, merge: bool = False,
                progress: Progress | None = None, batch: int = IMPORT_BATCH) -> Report:
    """Load the export in `folder` into the store (and its blobs into `blobs`).

    Refuses a store that holds data unless `merge` (records whose keys are stored
    already are kept as they are) or it is this same export's unfinished import."""
    manifest = Manifest.read(folder)
    verify(folder, manifest)
    marker = f"import#{manifest.id}"
    if port.holds_data() and not merge and store.counter_value(marker) == 0:
        raise ImportRefused("the store holds data already: import into an empty store, "
                            "or add --merge to keep what it has and add the rest")
    store.add_to_counter(marker, 1, at_most=1)  # 1: under way (a rerun is let in)
    report = Report()
    for kind in KINDS:
        report.counts[kind] = manifest.count(file_name(kind))
        report.written[kind] = _import_kind(port, folder, kind, batch, progress)
    report.counts[BLOBS] = manifest.count(file_name(BLOBS))
    report.written[BLOBS] = _import_blobs(blobs, folder) if blobs is not None else 0
    store.add_to_counter(marker, 1, at_most=2)  # 2: done
    return report


def _import_kind(port, folder: Path, kind: str, batch: int,
                 progress: Progress | None) -> int:
    written = done = 0
    for records in _batches((json.loads(line) for line in read_lines(folder, kind)), batch):
        written += port.import_records(kind, records)
        done += len(records)
        if progress and done % PROGRESS_EVERY < len(records):
            progress(kind, done)
    return written


def _import_blobs(blobs, folder: Path) -> int:
    """Each blob the store lacks, or holds at another size (a write cut short)."""
    written = 0
    for line in read_lines(folder, BLOBS):
        entry = json.loads(line)
        if blobs.size(entry["key"]) == entry["size"]:
            continue
        content_type = mimetypes.guess_type(entry["key"])[0] or "application/octet-stream"
        with blob_path(folder, entry["key"]).open("rb") as stream:
            blobs.put(entry["key"], stream, content_type=content_type)
        written += 1
    return written


def _batches(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
