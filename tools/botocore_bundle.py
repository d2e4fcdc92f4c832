"""The AWS SDK's data that Loket's functions read, trimmed, for the Lambda zip
(botocore_data/ beside loket/; read at run time by loket.aws).

Why: making a boto3 client reads botocore's data files, and on a cold start that is
most of what the first DynamoDB request costs (bench/cold_start.py, measured with the
runtime's CPython: some 80 ms of CPU for the DynamoDB client, three quarters of it
here). botocore lists every service's folder (some 400 folders, ~2,800 file checks)
to find out that "dynamodb" exists, twice; parses endpoints.json (1.2 MB: every
service's endpoints in every region) for one service; and parses DynamoDB's model with
its documentation, which is most of its bytes and never used at run time. This
writes, from the locked botocore the build installs, only the services the functions make
clients for (SERVICES), their models without documentation, and endpoints.json with
those services only. A client made from that folder alone (loket.aws) reads some
160 KB of JSON in a handful of files.

The data is botocore's own (its search path takes model folders, as ~/.aws/models);
loket.aws uses it only when the running botocore is at least the version it came
from, so newer data never meets older code (see bundled_loader there).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

# Every AWS service a Loket function makes a client for through loket.aws.LazyClient
# (storage/dynamodb.py, blobs/s3.py, mail/ses.py, secret_keys.py). A client of any
# other service is made from botocore's own data.
SERVICES = ("dynamodb", "s3", "ses", "ssm")
# Per service: the model and its endpoint rules (every client), paginators and
# waiters (get_paginator, get_waiter), and botocore's changes to the model and the
# paginators (*.sdk-extras: S3's Expires stays a timestamp), merged when loaded.
SERVICE_FILES = ("service-2", "service-2.sdk-extras", "endpoint-rule-set-1",
                 "paginators-1", "paginators-1.sdk-extras", "waiters-2")
# Read by every client: partitions and the regions' endpoints, defaults, retries.
TOP_FILES = ("endpoints", "partitions", "sdk-default-configuration", "_retry")
# Keys botocore reads only for help texts and generated documentation.
DOC_KEYS = frozenset({"documentation", "documentationUrl", "examples"})
# Maps in a model whose keys are names, never documentation.
NAME_MAPS = frozenset({"shapes", "operations", "members"})
VERSION_FILE = "BOTOCORE_VERSION"


def write_bundle(botocore_dir: Path, target: Path) -> list[str]:
    """Write the trimmed data of the botocore package at `botocore_dir` (the locked
    one the build installed) under `target`; the files written."""
    source = botocore_dir / "data"
    written = []
    for name in TOP_FILES:
        data = _read(source / name)
        if name == "endpoints":
            data = _only_services(data)
        written.append(_write(target, name, data))
    for service in SERVICES:
        version = max(p.name for p in (source / service).iterdir() if p.is_dir()
                      and _exists(p / "service-2"))
        for name in SERVICE_FILES:
            path = source / service / version / name
            if _exists(path):
                data = _read(path)
                written.append(_write(target, f"{service}/{version}/{name}",
                                      _without_docs(data) if name == "service-2" else data))
    (target / VERSION_FILE).write_text(botocore_version(botocore_dir) + "\n", encoding="utf-8")
    return written + [VERSION_FILE]


def botocore_version(botocore_dir: Path) -> str:
    """The package's __version__, read without importing it (the build's own Python
    need not have botocore)."""
    found = re.search(r"^__version__ = ['\"]([^'\"]+)['\"]",
                      (botocore_dir / "__init__.py").read_text(encoding="utf-8"), re.MULTILINE)
    if not found:
        raise ValueError(f"no __version__ in {botocore_dir / '__init__.py'}")
    return found.group(1)


def _only_services(endpoints: dict[str, Any]) -> dict[str, Any]:
    for partition in endpoints["partitions"]:
        partition["services"] = {name: value for name, value in partition["services"].items()
                                 if name in SERVICES}
    return endpoints


def _without_docs(value: Any, names: bool = False) -> Any:
    """The model without DOC_KEYS; `names`: the keys of this map are names (of shapes,
    operations, members), kept whatever they are."""
    if isinstance(value, dict):
        return {k: _without_docs(v, not names and k in NAME_MAPS) for k, v in value.items()
                if names or k not in DOC_KEYS}
    if isinstance(value, list):
        return [_without_docs(v) for v in value]
    return value


def _exists(path: Path) -> bool:
    return Path(f"{path}.json").is_file() or Path(f"{path}.json.gz").is_file()


def _read(path: Path) -> Any:
    plain = Path(f"{path}.json")
    if plain.is_file():
        return json.loads(plain.read_bytes())
    return json.loads(gzip.decompress(Path(f"{path}.json.gz").read_bytes()))


def _write(target: Path, name: str, data: Any) -> str:
    """Plain JSON, compact, in botocore's own order (a structure's members are
    serialized in it): the same botocore gives the same bytes (the zip is reproducible)."""
    path = target / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    return f"{name}.json"
