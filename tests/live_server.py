"""A real HTTP server (waitress, as `loket serve` uses) around an app, on a free port."""

from __future__ import annotations

import threading

from waitress.server import create_server


class LiveServer:
    def __init__(self, app, threads: int = 16):
        self._server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        # Finish requests in flight before the sockets go, or waitress logs errors.
        self._server.task_dispatcher.shutdown()
        self._server.close()
        self._thread.join(timeout=5)
