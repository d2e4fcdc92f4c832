"""`loket migrate --to dynamodb`: the local store into a DynamoDB table and S3 bucket,
through an export and an import (services/export.py), then a check that exports the
table again and compares every file's count and digest with the first export.

The dry run sizes every item the import would write, as DynamoDB counts them, and adds
up the write units: a put costs one unit per started KB of the item, once for the
table and once for each index the item is in (all indexes project ALL). The indexes
come from the table's one definition, storage/dynamodb_table.yml.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from loket.services.export import Progress, export_data, import_data
from loket.services.export_format import BLOB_PREFIXES, ExportFormatError, Manifest


@dataclass
class Estimate:
    records: dict[str, int] = field(default_factory=dict)
    items: int = 0
    bytes: int = 0
    write_units: int = 0
    blobs: int = 0
    blob_bytes: int = 0

    def lines(self, table: str, bucket: str | None) -> list[str]:
        kinds = ", ".join(f"{kind} {n}" for kind, n in self.records.items())
        out = [f"would write {self.items} items ({_size(self.bytes)}) to DynamoDB table "
               f"{table}: {kinds or 'nothing'}",
               f"write units: {self.write_units} (on-demand: as many write request units; "
               "table and index writes, about 1 per KB of item)"]
        if bucket:
            out.append(f"would copy {self.blobs} blobs ({_size(self.blob_bytes)}) to S3 "
                       f"bucket {bucket}")
        return out


def estimate(port, blobs) -> Estimate:
    """What an import of the store behind `port` into DynamoDB would write and cost."""
    from loket.storage.dynamodb_export import dynamodb_items

    indexes = index_keys()
    found = Estimate()
    for kind, record in port.export_records():
        found.records[kind] = found.records.get(kind, 0) + 1
        for item in dynamodb_items(kind, record)[1]:
            size = item_size(item)
            copies = 1 + sum(all(name in item for name in keys) for keys in indexes)
            found.items += 1
            found.bytes += size
            found.write_units += copies * max(1, math.ceil(size / 1024))
    if blobs is not None:
        for prefix in BLOB_PREFIXES:
            for info in blobs.list_blobs(prefix):
                found.blobs += 1
                found.blob_bytes += blobs.size(info.key) or 0
    return found


def index_keys() -> list[list[str]]:
    """The key attributes of each index of the table, from its one definition
    (storage/dynamodb_table.yml, which serverless.yml and create_table read)."""
    from loket.storage.dynamodb import table_schema

    return [[key["AttributeName"] for key in index["KeySchema"]]
            for index in table_schema()["GlobalSecondaryIndexes"]]


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it: each attribute's name plus its value."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Any) -> int:
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, (int, float, Decimal)):
        digits = len(str(abs(value)).replace(".", "").lstrip("0")) or 1
        return 1 + math.ceil(digits / 2)
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, (set, frozenset)):
        return sum(_value_size(v) for v in value)
    if isinstance(value, dict):  # A map: 3 bytes, and a byte and a name per entry.
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return 3 + sum(1 + _value_size(v) for v in value)
    raise TypeError(f"no DynamoDB size for {type(value).__name__}")


@dataclass
class MigrationReport:
    counts: dict[str, int]
    mismatched: list[str]


def migrate(source, source_blobs, target, target_blobs, work_dir: Path, *,
            progress: Progress | None = None) -> MigrationReport:
    """Export `source` into work_dir/export, import that into `target` (which must be
    empty, or this same migration's unfinished run), export `target` into
    work_dir/check, and name the files whose count or digest differ."""
    from loket.storage.data_port import data_port

    exported = _exported(data_port(source), source_blobs, work_dir / "export", progress)
    shutil.rmtree(work_dir / "check", ignore_errors=True)
    import_data(target, data_port(target), target_blobs, work_dir / "export",
                progress=progress)
    check = export_data(data_port(target), target_blobs, work_dir / "check",
                        source="dynamodb")
    names = sorted(set(exported.files) | set(check.files))
    return MigrationReport(counts={n: exported.count(n) for n in names},
                           mismatched=[n for n in names
                                       if exported.files.get(n) != check.files.get(n)])


def _exported(port, blobs, folder: Path, progress: Progress | None) -> Manifest:
    """The export a run before this one finished (a migration run again after a crash
    goes on from its import), or a new one."""
    try:
        return Manifest.read(folder)
    except ExportFormatError:
        shutil.rmtree(folder, ignore_errors=True)  # Ours, and not finished: start again.
    return export_data(port, blobs, folder, source="sqlite", progress=progress)


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count} bytes"
