"""The index's fields and analysers, shared by the writer (index.py) and the reader (query.py).

Every language gets its own set of text fields, analysed with that language's stop
words and Snowball stemmer; a page fills only the fields of its own language. Titles
and headings are also indexed as edge n-grams ("exp", "expo", "expor", ...), so the
word a customer is still typing is one exact term lookup instead of a prefix expansion
over the whole vocabulary: that expansion is what made plain prefix queries slow.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from loket.search.languages import LANGUAGES

GRAM_MIN, GRAM_MAX = 2, 15
# Text fields per language: f"{kind}_{lang}".
TITLE, OUTLINE, BODY = "title", "outline", "body"
TITLE_GRAMS, OUTLINE_GRAMS = "tgrams", "ograms"
# Stored in `product` for pages about every product, so one filter term finds them.
ANY_PRODUCT = "_any"
# Written beside the index; bump it when fields or analysers change, so that an old
# index is refused (and rebuilt) instead of quietly answering wrongly.
SCHEMA_VERSION = "2"
VERSION_FILE = "LOKET_SCHEMA"


def written_version(index_dir: Path) -> str | None:
    try:
        return (Path(index_dir) / VERSION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def field(kind: str, lang: str) -> str:
    return f"{kind}_{lang}"


def _words(lang: str):
    """Words as a customer sees them: "e-mailed" is also "emailed", "OneDrive" also "one drive"."""
    from whoosh.analysis import (CharsetFilter, IntraWordFilter, LowercaseFilter,
                                 RegexTokenizer, StopFilter)
    from whoosh.support.charset import accent_map

    stops = StopFilter(lang=lang, minsize=2, maxsize=40)
    stops.stops = SortedStops(stops.stops)
    # Accents are folded so that "geexporteerd" finds "geëxporteerd" and "cafe" "café".
    return (RegexTokenizer(r"\S+") | IntraWordFilter(mergewords=True, mergenums=True)
            | LowercaseFilter() | CharsetFilter(accent_map) | stops)


class SortedStops(frozenset):
    """A stop list that pickles its words sorted. The index's table of contents holds
    the pickled schema, and a frozenset pickles in hash order, which changes with every
    process (PYTHONHASHSEED): sorted, the same pages give the same index, byte for byte
    (the Lambda zip is reproducible). It unpickles as a plain frozenset."""

    def __reduce__(self):
        return (frozenset, (sorted(self),))


@lru_cache(maxsize=None)
def stemming_analyzer(lang: str):
    from whoosh.analysis import StemFilter

    return _words(lang) | StemFilter(lang=lang, cachesize=50_000)


@lru_cache(maxsize=None)
def gram_analyzer(lang: str):
    from whoosh.analysis import NgramFilter

    return _words(lang) | NgramFilter(GRAM_MIN, GRAM_MAX, at="start")


@lru_cache(maxsize=1)
def schema():
    from whoosh.fields import ID, STORED, TEXT, Schema

    fields = {"url": ID(stored=True, unique=True), "key": ID(stored=True),
              "product": ID(stored=True), "language": ID(stored=True),
              "title": STORED(), "summary": STORED(), "body": STORED(),
              # The languages the page's translation group has a page in.
              "languages": STORED()}
    for lang in LANGUAGES:
        stems = stemming_analyzer(lang)
        fields[field(TITLE, lang)] = TEXT(analyzer=stems, phrase=False)
        fields[field(OUTLINE, lang)] = TEXT(analyzer=stems, phrase=False)
        fields[field(BODY, lang)] = TEXT(analyzer=stems, phrase=False)
        # Positions are no use for n-grams; leaving them out keeps the index small.
        fields[field(TITLE_GRAMS, lang)] = TEXT(analyzer=gram_analyzer(lang), phrase=False)
        fields[field(OUTLINE_GRAMS, lang)] = TEXT(analyzer=gram_analyzer(lang), phrase=False)
    return Schema(**fields)
