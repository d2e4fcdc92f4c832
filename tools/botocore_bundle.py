"""The AWS SDK's data that Loket's functions read, trimmed, for the Lambda zip.

The zip ships the locked SDK (boto3, botocore, ...: what the tests ran with, as AWS
recommends) and replaces botocore's data folder (botocore/data, some 25 MB unzipped,
every AWS service) by this trimmed copy of it, so every client made in the zip, through
loket.aws.LazyClient or boto3.client, reads it; a client of another service fails at
once (UnknownServiceError), which tests/deploy/test_zip_contents.py rules out.

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

BOTOCORE_VERSION in the folder names the botocore the data came from: loket.aws reads
the folder as trimmed data only when that is the running botocore (see
bundled_services there).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
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
# Kept whole, documentation and all: botocore reads each client context parameter's
# "documentation" as a required key (ServiceModel.client_context_parameters, used by
# S3's endpoint resolution).
KEPT_WHOLE = frozenset({"clientContextParams"})
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


def trim_package_data(botocore_dir: Path) -> list[str]:
    """Replace the data folder of the botocore package at `botocore_dir` (the locked
    one the build installed into the zip's tree) by its trimmed copy, and boto3's
    (its resource models, beside it) by those of SERVICES: the files kept."""
    data = botocore_dir / "data"
    trimmed = botocore_dir / "data.trimmed"
    written = write_bundle(botocore_dir, trimmed)
    shutil.rmtree(data)
    trimmed.rename(data)
    _record_only_present(botocore_dir)
    boto3_data = botocore_dir.parent / "boto3" / "data"
    if boto3_data.is_dir():
        # boto3 adds this folder to every client's search path (each service folder
        # listed on a client's first look-up); Loket makes no resources at all.
        for folder in boto3_data.iterdir():
            if folder.is_dir() and folder.name not in SERVICES:
                shutil.rmtree(folder)
        _record_only_present(boto3_data.parent)
    return written


def _record_only_present(package: Path) -> None:
    """The package's RECORD lists its data folder as it ships (no hashes: the files are
    not the wheel's), so pip and the zip's tests see the package as it is."""
    site = package.parent
    prefix = f"{package.name}/data/"
    for record in site.glob(f"{package.name}-*.dist-info/RECORD"):
        rows = record.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [r for r in rows if not r.startswith(prefix)]
        kept += [f"{p.relative_to(site).as_posix()},,\n"
                 for p in sorted((package / "data").rglob("*")) if p.is_file()]
        record.write_text("".join(kept), encoding="utf-8")


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
        return {k: v if not names and k in KEPT_WHOLE
                else _without_docs(v, not names and k in NAME_MAPS)
                for k, v in value.items() if names or k not in DOC_KEYS}
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
