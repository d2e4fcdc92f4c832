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
# Pages' stored fields remembered per opened index (a page's text: a few KiB each).
DOCUMENTS = 512


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


def remembering_terms(reader):
    """The reader of a searcher, made to remember which terms its index holds and in
    how many documents each is. A search asks that of each word in every field a few
    times (building the query, then whoosh sizing and matching it), and each answer is
    a hashed lookup in the index's term table (md5 and file reads, in Python): a third
    of a receipt's search. So is each term's info (its terms reader remembers it: every
    matcher and scorer reads it) and each document's field lengths (what scoring reads
    per document). The answers depend on the index alone. A reader of an index of
    several segments (never written by index.py) is left as it is."""
    from whoosh.codec.whoosh3 import W3TermsReader
    from whoosh.reading.segment_reader import SegmentReader

    if type(reader) is SegmentReader and type(reader._terms) is W3TermsReader:
        reader._known_terms, reader._doc_frequencies, reader._lengths = {}, {}, {}
        reader.__class__ = _remembering_reader()
        reader._terms._term_infos = {}
        reader._terms.__class__ = _remembering_terms_reader()
    return reader


def remembering_scorers(searcher):
    """The searcher, made to keep the BM25F scorer of each term it matches: a scorer
    reads the term's statistics (inverse document frequency, average field length,
    best possible score) when it is made, a twentieth of a receipt's search, and holds
    nothing of one search (each scores the matcher it is given). They depend on the
    index alone, as the searcher does. Another weighting is left as it is."""
    from whoosh.scoring import BM25F

    if type(searcher.weighting) is BM25F:  # the searcher's own (index.searcher())
        searcher.weighting._scorers, searcher.weighting._owner = {}, searcher
        searcher.weighting.__class__ = _remembering_bm25f()
    return searcher


@lru_cache(maxsize=1)
def _remembering_bm25f():
    from whoosh.scoring import BM25F

    class RememberingBM25F(BM25F):
        def scorer(self, searcher, fieldname, text, qf=1):
            if searcher is not self._owner:  # a sub-searcher (an index of segments)
                return BM25F.scorer(self, searcher, fieldname, text, qf=qf)
            key = (fieldname, text, qf)
            found = self._scorers.get(key)
            if found is None:
                found = _remember(self._scorers, key,
                                  BM25F.scorer(self, searcher, fieldname, text, qf=qf))
            return found

    return RememberingBM25F


# Terms remembered per reader (a few dozen bytes each): far more than a day asks.
TERMS = 65536


@lru_cache(maxsize=1)
def _remembering_reader():
    # Defined on first use: whoosh is imported only by code that searches.
    from whoosh.reading.segment_reader import SegmentReader

    class RememberingReader(SegmentReader):
        def __contains__(self, term) -> bool:
            known = self._known_terms.get(term)
            if known is None:
                known = _remember(self._known_terms, term,
                                  SegmentReader.__contains__(self, term))
            return known

        def doc_field_length(self, docnum, fieldname, default=0):
            # What a scorer reads for every document it scores (a column read per call).
            key = (docnum, fieldname, default)
            found = self._lengths.get(key, _ABSENT)
            if found is _ABSENT:
                found = _remember(self._lengths, key,
                                  SegmentReader.doc_field_length(self, docnum, fieldname,
                                                                 default))
            return found

        def doc_frequency(self, fieldname, text) -> int:
            key = (fieldname, text)
            found = self._doc_frequencies.get(key)
            if found is None:
                found = _remember(self._doc_frequencies, key,
                                  SegmentReader.doc_frequency(self, fieldname, text))
            return found

    return RememberingReader


@lru_cache(maxsize=1)
def _remembering_terms_reader():
    from whoosh.codec.whoosh3 import W3TermsReader

    class RememberingTermsReader(W3TermsReader):
        def term_info(self, fieldname, tbytes):
            # What each scorer reads (maximum weight, shortest length) and each term's
            # matcher starts from (its postings, inline or where they lie in the postings
            # file), read only: a term the index does not hold raises as before, and is
            # not remembered.
            key = (fieldname, tbytes)
            found = self._term_infos.get(key)
            if found is None:
                found = _remember(self._term_infos, key,
                                  W3TermsReader.term_info(self, fieldname, tbytes))
            return found

    return RememberingTermsReader


_ABSENT = object()


def _remember(remembered: dict, key, value):
    if len(remembered) >= TERMS:  # a bound, not an LRU: refilled as the searches go
        remembered.clear()
    remembered[key] = value
    return value


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
    """reader.terms_within(): the field's words at most `maxdist` edits (Levenshtein:
    a letter added, dropped or changed) from `text` that begin with its first `prefix`
    letters, in the term dictionary's order. whoosh builds a Levenshtein automaton (in
    Python, a few milliseconds a word: most of what a receipt's typo cost) and walks the
    dictionary with it; this measures the distance to the few words that can be that
    close (the same beginning, a length at most `maxdist` apart), which the field's
    vocabulary, read once per reader, lists. tests/search/test_republish.py compares
    the two."""
    from whoosh.reading.segment_reader import SegmentReader

    if not isinstance(reader, SegmentReader):  # another reader walks its own way
        return reader.terms_within(fieldname, text, maxdist, prefix=prefix)
    spelling = reader.schema[fieldname].spelling_fieldname(fieldname)
    by_length = _vocabulary(reader, spelling, prefix).get(text[:prefix], {})
    rest = text[prefix:]
    found = [word for length in range(len(text) - maxdist, len(text) + maxdist + 1)
             for word in by_length.get(length, ()) if _within(rest, word[prefix:], maxdist)]
    return sorted(found)


# Per reader: (field, prefix length) -> {beginning: {length: [words]}}.
_vocabularies: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def _vocabulary(reader, fieldname: str, prefix: int) -> dict:
    with _expansions_lock:
        mine = _vocabularies.get(reader)
        if mine is None:
            mine = _vocabularies[reader] = {}
    found = mine.get((fieldname, prefix))
    if found is None:
        found = {}
        for word in reader.field_terms(fieldname):
            found.setdefault(word[:prefix], {}).setdefault(len(word), []).append(word)
        mine[(fieldname, prefix)] = found
    return found


def _within(a: str, b: str, most: int) -> bool:
    """Whether the Levenshtein distance of `a` and `b` is at most `most`. What the two
    share at the start and the end costs no edit: only what lies between is compared."""
    start, end_a, end_b = 0, len(a), len(b)
    while start < end_a and start < end_b and a[start] == b[start]:
        start += 1
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    a, b = a[start:end_a], b[start:end_b]
    if len(a) <= most and len(b) <= most:
        return True
    if abs(len(a) - len(b)) > most:
        return False
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (letter != other)))
        if min(current) > most:
            return False
        previous = current
    return previous[-1] <= most
