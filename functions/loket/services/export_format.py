"""The export format (version 1), documented in README.md, "Export and import".

A folder holds one JSON Lines file per kind (`tickets.jsonl`, `accounts.jsonl`, ...;
one record a line, keys sorted, UTF-8), the blobs under `blobs/<key>` with
`blobs.jsonl` naming each (key, size, sha256), and `manifest.json`, written last, with
each file's count and digest. A digest is the sum (mod 2**256) of the SHA-256 of every
line: it does not depend on the order of the lines, because a DynamoDB Scan has none,
so the same content gives the same manifest from either store.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

FORMAT = "loket-export"
VERSION = 1
MANIFEST = "manifest.json"
BLOBS = "blobs"
# In import order: a ticket before the idempotency keys and known-issue links that name it.
KINDS = ("tickets", "idempotency_keys", "known_issue_links", "organizations", "accounts",
         "counters", "mail", "suppressions", "suppression_lifts", "refused", "uploads")
# Blob prefixes the application writes (domain/attachments.py, services/refused_mail.py).
BLOB_PREFIXES = ("attachments/", "thumbnails/", "uploads/", "refused/")
# Left out unless `--with-secrets`: they let whoever holds the export sign in.
SECRET_FIELDS = {"accounts": ("password_hash", "second_factor")}


class ExportFormatError(ValueError):
    """The folder is not a complete export this version reads; the message says why."""


def canonical_line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode() + b"\n"


@dataclass
class Digest:
    """An order-independent digest of lines, and their count."""

    count: int = 0
    total: int = 0

    def add(self, line: bytes) -> None:
        self.count += 1
        self.total = (self.total + int.from_bytes(hashlib.sha256(line).digest(), "big")) % 2**256

    @property
    def hex(self) -> str:
        return f"sum-sha256:{self.total:064x}"


@dataclass
class Manifest:
    id: str
    created_at: str
    source: str
    with_secrets: bool
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def count(self, name: str) -> int:
        return int(self.files.get(name, {}).get("count", 0))

    def write(self, folder: Path) -> None:
        """Written last, whole (temporary file, then rename): its presence says the
        export is complete."""
        data = {"format": FORMAT, "version": VERSION, "id": self.id,
                "created_at": self.created_at, "source": self.source,
                "with_secrets": self.with_secrets, "files": self.files}
        part = folder / (MANIFEST + ".part")
        part.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(part, folder / MANIFEST)

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        path = folder / MANIFEST
        if not path.is_file():
            raise ExportFormatError(f"{folder}: no {MANIFEST} (not an export, or one that "
                                    "did not finish)")
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ExportFormatError(f"{path}: not readable JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ExportFormatError(f"{path}: format is not {FORMAT!r}")
        if data.get("version") != VERSION:
            raise ExportFormatError(f"{path}: version {data.get('version')!r}; this Loket "
                                    f"reads version {VERSION}")
        return cls(id=str(data["id"]), created_at=str(data["created_at"]),
                   source=str(data["source"]), with_secrets=bool(data.get("with_secrets")),
                   files=dict(data.get("files") or {}))


def file_name(kind: str) -> str:
    return f"{kind}.jsonl"


def read_lines(folder: Path, kind: str) -> Iterator[bytes]:
    path = folder / file_name(kind)
    if not path.exists():
        return
    with path.open("rb") as stream:
        yield from stream


def verify(folder: Path, manifest: Manifest) -> None:
    """Check every file's count and digest, and every blob's size and SHA-256, before
    an import changes anything."""
    for kind in (*KINDS, BLOBS):
        expected = manifest.files.get(file_name(kind), {"count": 0, "digest": Digest().hex})
        digest = Digest()
        for line in read_lines(folder, kind):
            digest.add(line)
        if (digest.count, digest.hex) != (expected.get("count"), expected.get("digest")):
            raise ExportFormatError(
                f"{file_name(kind)}: {digest.count} records, digest {digest.hex}; the "
                f"manifest says {expected.get('count')} and {expected.get('digest')}")
    for line in read_lines(folder, BLOBS):
        entry = json.loads(line)
        path = blob_path(folder, entry["key"])
        if not path.is_file() or path.stat().st_size != entry["size"] \
                or file_sha256(path) != entry["sha256"]:
            raise ExportFormatError(f"{path}: missing, or not the {entry['size']} bytes "
                                    "blobs.jsonl names")


def blob_path(folder: Path, key: str) -> Path:
    if key.startswith("/") or ".." in key.split("/"):
        raise ExportFormatError(f"blobs.jsonl: not a blob key: {key!r}")
    return folder / BLOBS / key


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
