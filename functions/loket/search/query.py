"""Suggestions from the index for text a customer is still typing.

Each query word is looked up as a stem in titles, outlines (headings and description)
and bodies, with typo-tolerant variants for words of four letters or more; the word
still being typed is also one exact lookup in the edge n-grams of titles and headings.
The query runs in every language's fields at once, each analysed its own way; pages in
the customer's language then rank first, and one page per translation group is kept.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from loket.domain.forms import LANGUAGES
from loket.ports import Suggestion
from loket.search import SearchIndexMissing
from loket.search import schema as s
from loket.search.snippets import FUZZY_MIN_LENGTH, Hits, fold, snippet

BOOSTS = {s.TITLE: 3.0, s.OUTLINE: 1.5, s.BODY: 1.0}
GRAM_BOOSTS = {s.TITLE_GRAMS: 2.0, s.OUTLINE_GRAMS: 1.0}
FUZZY_WEIGHT = 0.4             # a typo-tolerant match counts less than an exact one
OTHER_LANGUAGE_WEIGHT = 0.35   # pages in another language fill up, never push ahead
RELATIVE_FLOOR = 0.15          # drop hits this much weaker than the best: they are noise
MAX_WORDS = 12
_TYPED_WORD = re.compile(r"(\w+)$")


class WhooshSearcher:
    """The Searcher port over a whoosh index folder, opened on first use, once per process."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._index = None
        self._lock = threading.Lock()
        self._local = threading.local()  # a whoosh searcher per thread: they are not shared
        self._opened: list = []

    def suggest(self, text: str, *, lang: str, product: str | None = None,
                limit: int = 5) -> list[Suggestion]:
        query = build_query(text)
        if query is None:
            return []
        searcher = self._searcher()
        results = searcher.search(query, limit=limit * 4, filter=_product_filter(product))
        ranked = rank([(hit.score, hit.fields()) for hit in results], lang)
        return [_suggestion(fields, text) for fields in ranked[:limit]]

    def close(self) -> None:
        with self._lock:
            for searcher in self._opened:
                searcher.close()
            self._opened.clear()
            self._index = None
        self._local = threading.local()

    def _searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self._open().searcher()
            with self._lock:
                self._opened.append(searcher)
        return searcher

    def _open(self):
        with self._lock:
            if self._index is None:
                from whoosh.index import EmptyIndexError, open_dir

                try:
                    self._index = open_dir(str(self.path), readonly=True)
                except (EmptyIndexError, FileNotFoundError, OSError):
                    raise SearchIndexMissing(str(self.path)) from None
            return self._index


def build_query(text: str):
    """The whoosh query for `text`, or None when it holds no word worth looking up."""
    from whoosh.query import FuzzyTerm, Or, Term

    clauses = []
    typed = typed_prefix(text)
    for lang in LANGUAGES:
        for stem in query_stems(text, lang):
            for kind, boost in BOOSTS.items():
                clauses.append(Term(s.field(kind, lang), stem, boost=boost))
                if len(stem) >= FUZZY_MIN_LENGTH and kind != s.BODY:
                    clauses.append(FuzzyTerm(s.field(kind, lang), stem,
                                             boost=boost * FUZZY_WEIGHT, prefixlength=1))
        if len(typed) >= s.GRAM_MIN:
            clauses += [Term(s.field(kind, lang), typed[:s.GRAM_MAX], boost=boost)
                        for kind, boost in GRAM_BOOSTS.items()]
    return Or(clauses) if clauses else None


def query_stems(text: str, lang: str) -> list[str]:
    stems = dict.fromkeys(t.text for t in s.stemming_analyzer(lang)(text, mode="query"))
    return list(stems)[:MAX_WORDS]


def typed_prefix(text: str) -> str:
    """The word still being typed: the last one, unless a space or punctuation ended it."""
    match = _TYPED_WORD.search(text)
    return fold(match.group(1)) if match else ""


def rank(hits: list[tuple[float, dict]], lang: str) -> list[dict]:
    """Pages in `lang` first, one per translation group, the weak tail dropped.

    `hits` come best first. A group scores as its best member; the member shown is the
    one in the customer's language when there is one.
    """
    groups: dict[str, list] = {}
    for score, fields in hits:
        own = fields["language"] == lang
        weighted = score * (1.0 if own else OTHER_LANGUAGE_WEIGHT)
        group = groups.setdefault(fields["key"], [weighted, fields, own])
        group[0] = max(group[0], weighted)
        if own and not group[2]:
            group[1], group[2] = fields, True
    ordered = sorted(groups.values(), key=lambda group: group[0], reverse=True)
    if not ordered:
        return []
    floor = ordered[0][0] * RELATIVE_FLOOR
    return [fields for score, fields, _ in ordered if score >= floor]


def _product_filter(product: str | None):
    from whoosh.query import Or, Term

    if not product:
        return None
    return Or([Term("product", product), Term("product", s.ANY_PRODUCT)])


def _suggestion(fields: dict, text: str) -> Suggestion:
    lang = fields["language"] if fields["language"] in LANGUAGES else LANGUAGES[0]
    typed = typed_prefix(text)
    hits = Hits(lang, frozenset(query_stems(text, lang)),
                typed if len(typed) >= s.GRAM_MIN else "")
    product = fields["product"]
    return Suggestion(title=fields["title"], url=fields["url"],
                      snippet=snippet(fields["body"], hits, fallback=fields["summary"]),
                      product=None if product == s.ANY_PRODUCT else product,
                      language=fields["language"])
