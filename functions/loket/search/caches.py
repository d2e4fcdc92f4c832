"""What a searcher keeps between suggestions while its index stays the same.

A receipt's suggestions cost the mail dispatcher more than the rest of the receipt,
and most of that work repeats from one search to the next: the product filter turned
into a set of documents, a word the index does not know expanded over a field's term
dictionary (a Levenshtein automaton built and walked, twice a search: whoosh sizes the
query with the expansion, then matches it), the same subject asked again. All of it
depends on the index alone, so it is kept with the opened index and dropped with it
when a build publishes a new one (index.py swaps a new folder into place, which
stamp() notices).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Callable, Hashable, Iterable

# Subjects remembered per opened index (a few KiB each with snippets): a day's repeats.
ANSWERS = 1024
# Expanded words remembered per reader: each is a few terms at most.
EXPANSIONS = 4096


def stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when the index folder is replaced (a new inode) or written in
    place (its modification time); None while it is missing, as between the two
    renames of a build that swaps a new index in."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_mtime_ns)


class Bounded:
    """A thread-safe mapping that forgets its least recently used entries."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


def product_documents(searcher, product_filter, remembered: Bounded):
    """The documents a product filter allows, as whoosh itself turns a filter query into
    a set (Searcher._query_to_comb), made once per index instead of once per search.
    Document numbers are the index's, the same for every searcher opened on it."""
    from whoosh.idsets import BitSet

    if product_filter is None:
        return None
    found = remembered.get(product_filter)
    if found is None:
        found = remembered.put(product_filter, BitSet(searcher.docs_for_query(product_filter),
                                                      size=searcher.doc_count_all()))
    return found


# Per reader (each searcher has its own): (field, word, edits, prefix) -> matching terms.
_expansions: "weakref.WeakKeyDictionary[object, Bounded]" = weakref.WeakKeyDictionary()
_expansions_lock = threading.Lock()


def expansion(reader, key: tuple, expand: Callable[[], Iterable[str]]) -> tuple[str, ...]:
    with _expansions_lock:
        remembered = _expansions.get(reader)
        if remembered is None:
            remembered = _expansions[reader] = Bounded(EXPANSIONS)
    found = remembered.get(key)
    if found is None:
        found = remembered.put(key, tuple(expand()))
    return found


def fuzzy_term(fieldname: str, text: str, **options):
    """A whoosh FuzzyTerm (matched and scored as one) whose expansion over the term
    dictionary is computed once per reader and word, not twice per search."""
    return _remembering_fuzzy_term()(fieldname, text, **options)


@lru_cache(maxsize=1)
def _remembering_fuzzy_term():
    # Defined on first use: whoosh is imported only by code that searches.
    from whoosh.query import FuzzyTerm

    class RememberingFuzzyTerm(FuzzyTerm):
        def _btexts(self, ixreader):
            key = (self.fieldname, self.text, self.maxdist, self.prefixlength)
            return expansion(ixreader, key, lambda: terms_within(ixreader, *key))

    return RememberingFuzzyTerm


def terms_within(reader, fieldname: str, text: str, maxdist: int, prefix: int):
    """reader.terms_within(): the field's words at most `maxdist` edits from `text`, by
    walking the term dictionary with a Levenshtein automaton. whoosh builds the
    automaton again for every field and every search, and building it (in Python) is
    most of what a typo costs; it depends on the word alone, so it is built once."""
    from whoosh.codec.base import Automata
    from whoosh.reading.segment_reader import SegmentReader

    if type(reader) is not SegmentReader:  # another reader walks its own way
        return reader.terms_within(fieldname, text, maxdist, prefix=prefix)
    # As SegmentReader.terms_within does, with the automaton remembered.
    cursor = reader.cursor(reader.schema[fieldname].spelling_fieldname(fieldname))
    return Automata.find_matches(_automaton(text, maxdist, prefix), cursor)


# An automaton of a long word two edits away holds a few hundred states (up to ~300 KiB):
# the most recent words' are enough for a batch of receipts, and bound the memory.
@lru_cache(maxsize=128)
def _automaton(text: str, maxdist: int, prefix: int):
    """Built once per word; only read afterwards (but for a memo of its sorted labels,
    the same whoever fills it), so searchers in several threads may share it."""
    from whoosh.codec.base import Automata

    return Automata.levenshtein_dfa(text, maxdist, prefix)
