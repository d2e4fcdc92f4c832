"""boto3 clients made on first use, never at import, so a cold start pays only for the
AWS services its function touches."""

from __future__ import annotations

import threading
from typing import Any


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

                    self._client = boto3.session.Session().client(
                        self.service, region_name=self.region,
                        endpoint_url=self.endpoint_url, config=self.config)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
