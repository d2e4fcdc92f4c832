"""boto3 clients made on first use, never at import, so a cold start pays only for the
AWS services its function touches."""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import Any

# Trimmed SDK data to make clients from; None: the running botocore's own data folder
# when the Lambda zip trimmed it (tools/botocore_bundle.py; tests set a folder here).
BUNDLED_DATA: Path | None = None


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
    """A botocore session for a client of `service` reading the trimmed SDK data alone
    (`data`, by default BUNDLED_DATA or the zip's trimmed botocore data) when it has that
    service, else botocore's own (None: boto3 makes the session). Alone: botocore would
    otherwise also search ~/.aws/models."""
    data = data or BUNDLED_DATA or _package_data()
    if service not in bundled_services(data):
        return None
    import botocore.loaders
    import botocore.session

    session = botocore.session.Session()
    session.register_component("data_loader", botocore.loaders.Loader(
        extra_search_paths=[str(data)], include_default_search_paths=False))
    return session


def _package_data() -> Path:
    import botocore

    return Path(botocore.__file__).parent / "data"


@functools.lru_cache(maxsize=None)
def bundled_services(data: Path) -> frozenset[str]:
    """The services whose trimmed data the folder holds, read once: none when it is
    not trimmed data (botocore's whole data outside the zip: no BOTOCORE_VERSION), and
    none when it came from another botocore than the running one (newer data could name
    endpoint rules or parameters older code does not know; the zip ships the two
    together, so this means a botocore from elsewhere came first on sys.path)."""
    import botocore

    try:
        made_by = (data / VERSION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return frozenset()
    if made_by != botocore.__version__:
        logging.getLogger(__name__).warning(
            "botocore %s is not the one the data in %s came from (%s): its own data is "
            "read instead, a slower cold start", botocore.__version__, data, made_by)
        return frozenset()
    return frozenset(p.name for p in data.iterdir() if p.is_dir())


# tools/botocore_bundle.py's VERSION_FILE: the botocore the trimmed data came from.
VERSION_FILE = "BOTOCORE_VERSION"
