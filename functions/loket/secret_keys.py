"""The keys that sign links (rating links in e-mails): the first signs, every one is
accepted, so a key can change without breaking the links already sent.

Keys are one text, separated by white space: "new old". To change the key, put the
new one in front and keep the old one behind it for as long as links signed with it
should work (rating links live `accounts.rating_window_days`), then drop it.

On AWS the text is an SSM SecureString parameter (LOKET_SECRET_KEY_PARAMETER), read at
run time, never an environment variable: each container reads it on first use and
again after LOKET_SECRET_KEY_REFRESH seconds, so a change needs no redeploy.
Elsewhere it is LOKET_SECRET_KEY (or the local install's kept key).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)


def parse_keys(text: str) -> tuple[str, ...]:
    keys = tuple(text.split())
    if not keys:
        raise ValueError("the secret key is empty")
    return keys


class SecretKeys:
    """Keys from `load`, kept for `refresh_seconds`; a failed reload keeps the keys
    in hand (the parameter store being slow must not sign everyone out)."""

    def __init__(self, load: Callable[[], str], *, refresh_seconds: float = 300,
                 clock: Callable[[], float] = time.monotonic):
        self._load, self._refresh, self._clock = load, refresh_seconds, clock
        self._keys: tuple[str, ...] = ()
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls, text: str) -> "SecretKeys":
        keys = cls(lambda: text, refresh_seconds=float("inf"))
        keys.all()  # An empty key is an error at start, not at the first link.
        return keys

    def all(self) -> tuple[str, ...]:
        if not self._keys or self._clock() - self._loaded_at >= self._refresh:
            with self._lock:
                if not self._keys or self._clock() - self._loaded_at >= self._refresh:
                    self._reload()
        return self._keys

    @property
    def current(self) -> str:
        return self.all()[0]

    def _reload(self) -> None:
        try:
            self._keys = parse_keys(self._load())
        except Exception:
            if not self._keys:
                raise
            log.exception("the secret keys were not read again; the ones in hand stay")
        self._loaded_at = self._clock()


def ssm_loader(name: str, *, region: str | None = None,
               endpoint_url: str | None = None) -> Callable[[], str]:
    """Reads the SecureString parameter `name` (decrypted) on each call."""
    from loket.aws import LazyClient

    client = LazyClient("ssm", region=region, endpoint_url=endpoint_url)

    def load() -> str:
        return client.get().get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    return load
