"""A WSGI app that answers /api/ with an app of the API's blueprints alone and every
other path with the whole app, each built on the first request that needs it.

Why: a Lambda cold start pays for every view module the app imports. The public form's
submission (POST /api/tickets) needs none of the portal's and desk's views (some
60 ms of imports, more on a busy host), so the http function builds the small app
first and the whole one only when a page is asked for. The two answer /api/ alike:
the API app has exactly the whole app's /api/ routes and app-wide hooks
(tests/api/test_api_app.py), and both share one Services.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

API_PREFIX = "/api/"

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class PrefixDispatch:
    def __init__(self, make_api_app: Callable[[], WSGIApp], make_app: Callable[[], WSGIApp]):
        self._makers = {"api": make_api_app, "all": make_app}
        self._apps: dict[str, WSGIApp] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        # Once the whole app is built it answers everything: no API app built besides.
        api = "all" not in self._apps and environ.get("PATH_INFO", "").startswith(API_PREFIX)
        return self.app("api" if api else "all")(environ, start_response)

    def app(self, which: str) -> WSGIApp:
        """The app for "api" or "all", built once."""
        if which not in self._apps:
            with self._lock:
                if which not in self._apps:
                    self._apps[which] = self._makers[which]()
        return self._apps[which]
