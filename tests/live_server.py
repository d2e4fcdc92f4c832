"""A real HTTP server around an app, on a free port, in a thread of the test process.

werkzeug's threaded server: a thread per request, like production servers, and a
clean shutdown. (The browser tests run `loket serve` itself, with waitress.)
"""

from __future__ import annotations

import threading

from werkzeug.serving import make_server


class LiveServer:
    def __init__(self, app, threads: int = 16):
        # `threads` is kept for callers; werkzeug starts a thread per request.
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
