"""The knowledge-base search behind the ticket form's suggestions.

pages.py reads the built site's HTML, index.py writes a whoosh index of it, query.py
answers suggestions from that index and snippets.py marks the hits. Only index.py and
query.py import whoosh, and only when they build or search, so handlers that never
search never pay for it.
"""

from __future__ import annotations


class SearchIndexMissing(Exception):
    """The index folder is missing or holds no index: build it with `loket search-build`."""
