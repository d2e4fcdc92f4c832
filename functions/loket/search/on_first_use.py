"""The search index's searcher, its code imported on the first suggestion."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any


class SearcherOnFirstUse:
    """The Searcher port over the index folder `path`: a WhooshSearcher (search/query.py),
    imported and made when something first asks for suggestions.

    Why: loket.search.query and its vocabulary, snippets and schema modules are a few
    milliseconds of classes and patterns to import, and the http function wires a
    searcher on every cold start while a ticket submission, its first request, never
    searches (bench/cold_start.py).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._searcher = None
        self._lock = threading.Lock()

    def suggest(self, text: str, **options: Any) -> list:
        return self._get().suggest(text, **options)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()

    def _get(self):
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:
                    from loket.search.query import WhooshSearcher

                    self._searcher = WhooshSearcher(self.path)
        return self._searcher
