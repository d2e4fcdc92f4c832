"""boto3 clients made on first use, never at import, so a cold start pays only for the
AWS services its function touches."""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import Any

# The SDK data the Lambda zip carries beside the package (tools/botocore_bundle.py).
BUNDLED_DATA = Path(__file__).resolve().parent.parent / "botocore_data"


class LazyClient:
    """One boto3 client, made once on first use even when threads race for it.

    Each gets a session of its own: boto3's default session is not thread-safe.
    """

    def __init__(self, service: str, *, region: str | None = None,
                 endpoint_url: str | None = None, config: Any = None, client: Any = None):
        self.service, self.region, self.endpoint_url, self.config = (
            service, region, endpoint_url, config)
        self._client = client
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3

                    self._client = boto3.session.Session(
                        botocore_session=_botocore_session(self.service)).client(
                        self.service, region_name=self.region,
                        endpoint_url=self.endpoint_url, config=self.config)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _botocore_session(service: str, data: Path | None = None) -> Any:
    """A botocore session for a client of `service`: reading the zip's trimmed SDK data
    (`data`, by default BUNDLED_DATA) alone when it has that service, else botocore's
    own (None: boto3 makes the session)."""
    data = data or BUNDLED_DATA
    if service not in bundled_services(data):
        return None
    import botocore.loaders
    import botocore.session

    session = botocore.session.Session()
    session.register_component("data_loader", botocore.loaders.Loader(
        extra_search_paths=[str(data)], include_default_search_paths=False))
    return session


@functools.lru_cache(maxsize=None)
def bundled_services(data: Path) -> frozenset[str]:
    """The services whose data the folder holds, read once: none when there is no
    such folder (outside the zip), and none when the running botocore is older than
    the one the data came from (newer data could name endpoint rules or parameters
    older code does not know; older data is what botocore takes from any model folder,
    as ~/.aws/models)."""
    import botocore

    try:
        made_by = (data / "BOTOCORE_VERSION").read_text(encoding="utf-8").strip()
    except OSError:
        return frozenset()
    if _version(botocore.__version__) < _version(made_by):
        logging.getLogger(__name__).warning(
            "botocore %s is older than the data in %s (%s): its own data is read instead, "
            "a slower cold start (build the zip with LAMBDA_BUNDLE_BOTO3=1, or lock the "
            "runtime's botocore)", botocore.__version__, data, made_by)
        return frozenset()
    return frozenset(p.name for p in data.iterdir() if p.is_dir())


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())
