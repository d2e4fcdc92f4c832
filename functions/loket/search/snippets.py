"""Snippets for suggestions: a short window of a page's text with the hits in <mark>.

Everything the page says is escaped; the <mark> elements are the only markup. A word
is a hit when its stem is one the query matched in that page (typo-tolerant matches
included) or when it starts with the word still being typed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from html import escape

_WORD = re.compile(r"\w+")
WIDTH = 180     # characters of text around the hits
LEAD = 40       # characters shown before the first hit


@dataclass(frozen=True)
class Hits:
    lang: str
    stems: frozenset[str]
    prefix: str = ""     # the word being typed, lowercased and folded; "" when none

    def match(self, word: str) -> bool:
        folded = fold(word)
        if self.prefix and folded.startswith(self.prefix):
            return True
        # A stem keeps its word's first letters, so most words need no stemming at all.
        return folded[:2] in self._heads and _stem(self.lang, folded) in self.stems

    @property
    def _heads(self) -> frozenset[str]:
        return _heads(self.stems)


def snippet(text: str, hits: Hits, *, fallback: str = "", width: int = WIDTH) -> str:
    """HTML: the part of `text` with the most hits, the hits in <mark>, the rest escaped."""
    seen: dict[str, bool] = {}  # Pages repeat their words; each is judged once.
    found = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)
             if seen.setdefault(m.group(), hits.match(m.group()))]
    if not found:
        return escape(_cut(fallback or text, 0, width))
    begin = _best_start(found, width)
    begin = _word_start(text, max(0, begin - LEAD))
    end = _word_end(text, min(len(text), begin + width))
    parts = ["…" if begin else ""]
    position = begin
    for start, stop, _ in found:
        if start < begin or stop > end:
            continue
        parts += [escape(text[position:start]), "<mark>", escape(text[start:stop]), "</mark>"]
        position = stop
    parts += [escape(text[position:end]), "…" if end < len(text) else ""]
    return "".join(parts)


def fold(word: str) -> str:
    """Lower case without accents, as the index's analysers see a word."""
    return word.lower().translate(_accents())


@lru_cache(maxsize=1)
def _accents() -> dict:
    from whoosh.support.charset import accent_map

    return accent_map


@lru_cache(maxsize=64)
def _heads(stems: frozenset[str]) -> frozenset[str]:
    return frozenset(stem[:2] for stem in stems)


@lru_cache(maxsize=100_000)
def _stem(lang: str, word: str) -> str:
    return _stemmer(lang)(word)


@lru_cache(maxsize=None)
def _stemmer(lang: str):
    from whoosh.lang import stemmer_for_language

    return stemmer_for_language(lang)


def _best_start(found: list[tuple[int, int, str]], width: int) -> int:
    """Where the window with the most different hit words begins (one sliding pass)."""
    counts: Counter[str] = Counter()
    best, best_count, ahead = found[0][0], 0, 0
    for start, _, word in found:
        while ahead < len(found) and found[ahead][0] < start + width:
            counts[found[ahead][2]] += 1
            ahead += 1
        if len(counts) > best_count:
            best, best_count = start, len(counts)
        counts[word] -= 1
        if not counts[word]:
            del counts[word]
    return best


def _word_start(text: str, index: int) -> int:
    while 0 < index < len(text) and not text[index - 1].isspace():
        index -= 1
    return index


def _word_end(text: str, index: int) -> int:
    while index < len(text) and not text[index].isspace():
        index += 1
    return index


def _cut(text: str, begin: int, width: int) -> str:
    if len(text) <= width:
        return text
    end = _word_end(text, width)
    return text[begin:end] + ("…" if end < len(text) else "")
