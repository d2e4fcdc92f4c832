"""A job `loket serve` runs every so many seconds in a daemon thread (the sweeper, the
mail fetch). stop() wakes it at once and waits for a round in progress to finish, so a
shutdown never cuts a round in half."""

from __future__ import annotations

import threading


class EveryInterval:
    """Runs `run_once()` now and then every `interval` seconds until stopped."""

    name = "loket-background"

    def __init__(self, interval: float):
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        if self._thread.is_alive():  # Never started (interval 0): nothing to wait for.
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def run_once(self) -> object:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval)
