"""Suggestions from the index for text a customer is still typing.

Each query word is looked up as a stem in titles, outlines (headings and description)
and bodies, with typo-tolerant variants for words of four letters or more; the word
still being typed is also one exact lookup in the edge n-grams of titles and headings.
The query runs in the customer's language's fields (where untranslated pages are
indexed too), and in another language's only through its synonyms and glossary; pages
in the customer's language then rank first, and one page per translation group is kept.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

# whoosh's query classes at import: this module is itself imported on the first search
# (search/on_first_use.py), and importing them inside each function that builds a query
# cost a few microseconds a call, some thirty calls a search.
from whoosh.query import And, DisjunctionMax, NullQuery, Or, Term

from loket.search.languages import LANGUAGES
from loket.ports import Suggestion
from loket.search import SearchIndexMissing, caches
from loket.search import schema as s
from loket.search import vocabulary as v
from loket.search.snippets import Hits, fold, snippet

BOOSTS = {s.TITLE: 3.0, s.OUTLINE: 1.5, s.BODY: 1.0}
GRAM_BOOSTS = {s.TITLE_GRAMS: 2.0, s.OUTLINE_GRAMS: 1.0}
FUZZY_WEIGHT = 0.4             # a typo-tolerant match counts less than an exact one
FUZZY_MIN_LENGTH = 4           # shorter words have too many neighbours one typo away
EXPANSION_WEIGHT = 0.6         # a synonym or glossary translation counts less than the word
BODY_PREFIX_MIN = 4            # the word being typed completes over body words from here on
BODY_PREFIX_LIMIT = 8          # and to at most this many of them: a cheap, bounded lookup
OTHER_LANGUAGE_WEIGHT = 0.35   # a translated page in another language fills up, never pushes ahead
NEWS_WEIGHT = 0.7              # a release note reports a change; an article answers
NEWS_PREFIXES = ("/release-notes/",)
FUZZY_TWO_EDITS_LENGTH = 9     # long (compound) words may hold two typos and stay unique
LANGUAGE_TIEBREAK = 0.1        # what a page's other languages add to its best one
PAIR_WEIGHT = 1.0              # two words side by side in the query, found in one heading
RELATIVE_FLOOR = 0.15          # drop hits this much weaker than the best: they are noise
MAX_WORDS = 12                 # a pasted paragraph is cut short: a few words decide
_TYPED_WORD = re.compile(r"(\w+)$")
_WORD = re.compile(r"\w+")
COMPOUND_MIN_LENGTH = 8        # two query words joined: shorter joins are chance words
COMPOUND_WEIGHT = 0.8          # the joined word stands for both halves, a little less sure
STEM_ENDING_MAX = 5            # the most a stemmer takes off a word's end (-iging, -ingen)


class WhooshSearcher:
    """The Searcher port over a whoosh index folder: opened on first use, once per
    process (a searcher per thread), and again when a build publishes a new index
    there. What searches repeat is kept with the opened index (caches.py)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._local = threading.local()  # (opened index, its searcher) per thread
        self._current: _OpenedIndex | None = None
        self._opened: list = []

    def suggest(self, text: str, *, lang: str, product: str | None = None,
                limit: int = 5, snippets: bool = True) -> list[Suggestion]:
        opened = self._open()
        key = (text, lang, product, limit, snippets)
        found = opened.answers.get(key)
        if found is None:
            found = opened.answers.put(key, tuple(self._suggest(
                opened, text, lang=lang, product=product, limit=limit, snippets=snippets)))
        return list(found)

    def _suggest(self, opened: "_OpenedIndex", text: str, *, lang: str, product: str | None,
                 limit: int, snippets: bool) -> list[Suggestion]:
        searcher = self._searcher(opened)
        query = build_query(text, lang, searcher.reader(), opened.rules)
        if query is None:
            return []
        query = absent_as_null(query, searcher.reader())
        allowed = caches.product_documents(searcher, _product_filter(product), opened.filters)
        if allowed is not None and len(allowed) == 0:
            return []  # whoosh takes an empty filter for none at all
        results = searcher.search(query, limit=limit * 4, filter=allowed, terms=True)
        found = rank([(hit.score, opened.stored(searcher, hit.docnum), hit.matched_terms())
                      for hit in results], lang, words=len(query_stems(text, lang)))
        return [_suggestion(_in_language(searcher, fields, lang), terms, text, snippets)
                for fields, terms in found[:limit]]

    def close(self) -> None:
        with self._lock:
            for searcher in self._opened:
                searcher.close()
            self._opened.clear()
            self._current = None
        self._local = threading.local()

    def _searcher(self, opened: "_OpenedIndex"):
        mine = getattr(self._local, "searcher", None)
        if mine is not None and mine[0] is opened:
            return mine[1]
        searcher = opened.index.searcher()
        caches.remembering_terms(searcher.reader())
        caches.remembering_scorers(searcher)
        with self._lock:
            if mine is not None and mine[1] in self._opened:
                # This thread's searcher on an index since replaced: no one else uses it.
                self._opened.remove(mine[1])
                mine[1].close()
            self._opened.append(searcher)
        self._local.searcher = (opened, searcher)
        return searcher

    def _open(self) -> "_OpenedIndex":
        """The index as published now: a stat per search notices a new one."""
        stamp = caches.stamp(self.path)
        current = self._current
        if current is not None and (stamp == current.stamp or stamp is None):
            return current  # unchanged, or in the middle of being swapped: keep the last
        with self._lock:
            if self._current is None or self._current.stamp != stamp:
                self._current = _OpenedIndex.of(self.path, stamp)
            return self._current


class _OpenedIndex:
    """An opened index with what searching it keeps (see caches.py)."""

    def __init__(self, index, rules, stamp):
        self.index, self.rules, self.stamp = index, rules, stamp
        self.answers = caches.Bounded(caches.ANSWERS)
        self.filters = caches.Bounded(16)
        self.documents = caches.Bounded(caches.DOCUMENTS)

    def stored(self, searcher, docnum: int) -> dict:
        """A hit's stored fields (read only), unpacked once per index instead of once per
        search (each is a zlib-compressed pickle: a tenth of a receipt's search).
        Document numbers are the index's, the same for every searcher opened on it."""
        found = self.documents.get(docnum)
        if found is None:
            found = self.documents.put(docnum, searcher.stored_fields(docnum))
        return found

    @classmethod
    def of(cls, path: Path, stamp) -> "_OpenedIndex":
        from whoosh.index import EmptyIndexError, open_dir

        # An index written for other fields would answer wrongly, not fail.
        if stamp is None or s.written_version(path) != s.SCHEMA_VERSION:
            raise SearchIndexMissing(f"{path}: missing or built by another version")
        try:
            index = open_dir(str(path), readonly=True)
        except (EmptyIndexError, OSError):
            raise SearchIndexMissing(str(path)) from None
        return cls(index, expansion_rules(v.read_index(path)), stamp)


def build_query(text: str, lang: str, reader, rules=None):
    """The whoosh query for `text`, or None when it holds no word worth looking up.

    The words are looked up under the customer's language's analysers only: a page
    without a translation is indexed under every language's analysers, so it is found
    there, and looking every word up under each language again doubled the cost of a
    query (subject suggestions at 5,000 articles took 78 ms at p99, over the 50 ms
    budget). Another language's fields are searched only where its synonyms or
    glossary know a query word ("firewall" from a Dutch page finds the English
    synonyms); a page scores by its best language.
    """
    rules = rules or {}
    own = _own_language_clauses(text, lang, reader, rules)
    groups = [Or(own)] if own else []
    for language in LANGUAGES:
        if language != lang:
            found = _expansions(rules.get(language, _NO_RULES), language,
                                query_stems(text, language))
            groups += [Or(found)] if found else []
    if not groups:
        return None
    return groups[0] if len(groups) == 1 else DisjunctionMax(groups, tiebreak=LANGUAGE_TIEBREAK)


def absent_as_null(query, reader):
    """The query with each word the index does not hold (most of a query's: every word
    is looked up in several fields, with its typo variants and pairs) as whoosh's
    NullQuery. whoosh turns such a Term into a NullMatcher anyway, but only after
    working it out field by field, twice over (sizing the query, then matching it);
    NullQuery sizes as the absent Term does (0) and matches the same nothing, so the
    matcher tree, and every score, stays exactly as it was (1,952 subjects compared,
    tests/search/test_remembered_lookups.py)."""
    if type(query) is Term:
        try:
            return query if (query.fieldname, query.text) in reader else NullQuery
        except ValueError:  # a text the field cannot hold: no match, as Term.matcher says
            return NullQuery
    if isinstance(query, (And, Or, DisjunctionMax)):  # built for this search alone
        query.subqueries = [absent_as_null(sub, reader) for sub in query.subqueries]
    return query


def _own_language_clauses(text: str, lang: str, reader, rules) -> list:
    clauses = []
    typed = typed_prefix(text)
    stems = query_stems(text, lang)
    for stem in stems:
        clauses += [Term(s.field(kind, lang), stem, boost=boost)
                    for kind, boost in BOOSTS.items()]
        clauses += _typo_clauses(reader, lang, stem, typed, last=stem == stems[-1])
    if len(typed) >= s.GRAM_MIN:
        clauses += [Term(s.field(kind, lang), typed[:s.GRAM_MAX], boost=boost)
                    for kind, boost in GRAM_BOOSTS.items()]
    clauses += _expansions(rules.get(lang, _NO_RULES), lang, stems)
    clauses += _pairs(lang, stems)
    clauses += _compounds(reader, lang, text, typed)
    if len(typed) >= BODY_PREFIX_MIN:
        clauses += _body_completions(reader, lang, typed)
    return clauses


def _compounds(reader, lang: str, text: str, typed: str) -> list:
    """Two neighbouring words written as one: Dutch joins what English writes apart
    ("tweestapsverificatie", "systeemeisen") and customers split them again
    ("tweestaps verificatie"). The joined word is looked up as a word of its own, and
    typo-tolerantly when a half is a word the index does not know (a typo, or half of
    a compound): the halves of a plain pair of words are known, and cost no more."""
    words = [fold(word) for word in _WORD.findall(text)][:MAX_WORDS]
    clauses = []
    for first, second in zip(words, words[1:]):
        joined = query_stems(first + second, lang)
        if len(joined) != 1 or len(joined[0]) < COMPOUND_MIN_LENGTH:
            continue
        found = [Term(s.field(kind, lang), joined[0], boost=boost * COMPOUND_WEIGHT)
                 for kind, boost in BOOSTS.items() if (s.field(kind, lang), joined[0]) in reader]
        if found:
            clauses += found
        # The word still being typed is unknown because it is unfinished, not misspelt.
        elif not _known(reader, lang, first) or (
                not _known(reader, lang, second) and not (second == words[-1] and typed)):
            clauses += _typo_clauses(reader, lang, joined[0], typed, last=second == words[-1])
    return clauses


def _known(reader, lang: str, word: str) -> bool:
    return any((s.field(kind, lang), stem) in reader
               for stem in query_stems(word, lang) for kind in BOOSTS)


def _pairs(lang: str, stems: list[str]) -> list:
    """Neighbouring query words found together in one title or heading score extra:
    "support hours" is the heading "Support hours", not any page with "hours" in its
    title. A bag of words cannot tell those apart; this cheap pairing can."""
    return [And([Term(s.field(kind, lang), first), Term(s.field(kind, lang), second)],
                boost=BOOSTS[kind] * PAIR_WEIGHT)
            for first, second in zip(stems, stems[1:]) if first != second
            for kind in (s.TITLE, s.OUTLINE)]


def expansion_rules(vocabulary: v.Vocabulary) -> dict[str, list]:
    """Per language the query is analysed in: (trigger stems, [(language, stems), ...]).

    A synonym group's words stand for each other in their language; a glossary entry's
    word in one language adds its translation, looked up in the other language's fields.
    """
    rules: dict[str, list] = {lang: [] for lang in LANGUAGES}

    def stems(words: str, lang: str) -> tuple[str, ...]:
        return tuple(query_stems(words, lang))

    for lang, groups in vocabulary.synonyms.items():
        for group in groups:
            for word in group:
                others = [(lang, stems(o, lang)) for o in group if o != word]
                rules[lang].append((stems(word, lang), others))
    for entry in vocabulary.glossary:
        for lang, word in entry.items():
            others = [(other, stems(w, other)) for other, w in entry.items() if other != lang]
            rules[lang].append((stems(word, lang), others))
    return {lang: Rules([(t, o) for t, o in found if t]) for lang, found in rules.items()}


class Rules(list):
    """A language's expansion rules, (trigger stems, targets), in their order, and the
    positions of those each stem begins: a query looks up its few stems instead of
    testing every rule (a few hundred of them, tested twice a search, a seventh of
    building a receipt's query)."""

    def __init__(self, rules):
        super().__init__(rules)
        self.by_first: dict[str, list[int]] = {}
        for position, (trigger, _) in enumerate(self):
            self.by_first.setdefault(trigger[0], []).append(position)

    def triggered(self, present: set[str]) -> list:
        """The rules whose trigger stems are all in `present`, in their order."""
        positions = sorted(p for stem in present for p in self.by_first.get(stem, ()))
        return [self[p] for p in positions if present.issuperset(self[p][0])]


_NO_RULES = Rules([])


def _expansions(rules: Rules, lang: str, stems: list[str]) -> list:
    """Synonyms and translations of the words in `stems`, weighted below the words."""
    present = set(stems)
    clauses, added = [], set()
    for trigger, targets in rules.triggered(present):
        for language, words in targets:
            if (language, words) in added or (language == lang and present.issuperset(words)):
                continue
            added.add((language, words))
            # A phrase ("allow list") must match all its words, not its most common one.
            per_word = [Or([Term(s.field(kind, language), word,
                                 boost=boost * EXPANSION_WEIGHT / len(words))
                            for kind, boost in BOOSTS.items()]) for word in words]
            clauses.append(per_word[0] if len(per_word) == 1 else And(per_word))
    return clauses


def _body_completions(reader, lang: str, typed: str) -> list:
    """The word being typed completed over body words ("passwo" -> password): a bounded
    walk of the body's term dictionary from the prefix, not a query over all of it."""
    name = s.field(s.BODY, lang)
    # A word the index already knows is most likely finished ("export"), and a long
    # posting list or eight would cost more than they bring: complete only the others.
    if any((s.field(kind, lang), stem) in reader
           for stem in query_stems(typed, lang) for kind in BOOSTS):
        return []
    clauses = []
    try:
        terms = reader.expand_prefix(name, typed)
        for _, term in zip(range(BODY_PREFIX_LIMIT), terms):
            word = term.decode() if isinstance(term, bytes) else term
            clauses.append(Term(name, word, boost=BOOSTS[s.BODY] * FUZZY_WEIGHT))
    except KeyError:  # no such field in this index
        return []
    return clauses


def _typo_clauses(reader, lang: str, stem: str, typed: str, last: bool = False) -> list:
    """Near spellings of a word the index does not know.

    One letter added, dropped or changed is found by expanding the word over the terms
    of titles and outlines, which walks the term dictionary; two letters swapped (the
    most common typo, but two edits) by looking each swap up directly. So this is done
    only where it can help: for words of four letters or more that occur nowhere in the
    customer's language, and for the word being typed only when no title or heading
    word starts with it.
    """
    if len(stem) < FUZZY_MIN_LENGTH:
        return []
    if any((s.field(kind, lang), stem) in reader for kind in BOOSTS):
        return []
    if typed and stem in query_stems(typed, lang) and any(
            (s.field(kind, lang), typed[:s.GRAM_MAX]) in reader for kind in GRAM_BOOSTS):
        return []
    # Bodies hold far more words: only the last word is looked up in them, one typo away.
    kinds = (s.TITLE, s.OUTLINE, s.BODY) if last else (s.TITLE, s.OUTLINE)
    edits = 2 if len(stem) >= FUZZY_TWO_EDITS_LENGTH else 1
    clauses = [caches.fuzzy_term(s.field(kind, lang), stem, boost=BOOSTS[kind] * FUZZY_WEIGHT,
                                 maxdist=edits, prefixlength=edits) for kind in kinds]
    swaps = {stem[:i] + stem[i + 1] + stem[i] + stem[i + 2:] for i in range(len(stem) - 1)}
    for swapped in swaps - {stem}:
        clauses += [Term(s.field(kind, lang), swapped, boost=boost * FUZZY_WEIGHT)
                    for kind, boost in BOOSTS.items() if (s.field(kind, lang), swapped) in reader]
    # Exact lookups, cheap enough for bodies whichever word this is.
    return clauses + _stem_of_misspelt(reader, lang, stem, tuple(BOOSTS))


def _stem_of_misspelt(reader, lang: str, word: str, kinds) -> list:
    """A typo in an ending the stemmer takes off ("ontvangstbevestigng") leaves a word
    it does not recognise, so the word keeps its ending and lies more edits away from
    the indexed stem ("ontvangstbevest") than typo tolerance reaches. That stem is
    then the word's beginning: look up the longest known beginning, a few letters
    short of the word, for long words only (a short beginning is another word)."""
    if len(word) < FUZZY_TWO_EDITS_LENGTH:
        return []
    shortest = max(len(word) - STEM_ENDING_MAX, (2 * len(word)) // 3)
    for kind in kinds:
        name = s.field(kind, lang)
        start = next((word[:end] for end in range(len(word) - 1, shortest - 1, -1)
                      if (name, word[:end]) in reader), None)
        if start is not None:
            return [Term(s.field(each, lang), start, boost=BOOSTS[each] * FUZZY_WEIGHT)
                    for each in kinds if (s.field(each, lang), start) in reader]
    return []


def query_stems(text: str, lang: str) -> list[str]:
    return list(_stems(text, lang))


@lru_cache(maxsize=4096)  # A query asks for its stems several times; analysing is costly.
def _stems(text: str, lang: str) -> tuple[str, ...]:
    stems = dict.fromkeys(stem for token in _TOKEN.findall(text)
                          for stem in _token_stems(token, lang))
    return tuple(stems)[:MAX_WORDS]


# The analyser splits a text where s.stemming_analyzer's tokenizer does (\S+) and
# treats each piece on its own (its filters split, fold, stop and stem within a token),
# so a text's stems are its pieces' in turn. Pieces repeat from one subject to the
# next ("export", "fails") where whole subjects seldom do: they are what is remembered.
_TOKEN = re.compile(r"\S+")


@lru_cache(maxsize=16384)
def _token_stems(token: str, lang: str) -> tuple[str, ...]:
    return tuple(t.text for t in s.stemming_analyzer(lang)(token, mode="query"))


def typed_prefix(text: str) -> str:
    """The word still being typed: the last one, unless a space or punctuation ended it."""
    match = _TYPED_WORD.search(text)
    return fold(match.group(1)) if match else ""


def rank(hits: list[tuple[float, dict, list]], lang: str,
         words: int = 1) -> list[tuple[dict, set[str]]]:
    """Pages in `lang` first, one per translation group, the weak tail dropped.

    `hits` are (score, stored fields, matched terms), best first. A group scores as its
    best member; the member shown is the one in the customer's language, if any. A page
    that matched fewer different words than the query's `words` counts for less: a
    generic word in a title ("hours") must not outweigh a page holding all of them.
    """
    groups: dict[str, list] = {}
    for score, fields, terms in hits:
        score *= _coverage(terms, words) * (
            NEWS_WEIGHT if fields["url"].startswith(NEWS_PREFIXES) else 1.0)
        own = fields["language"] == lang
        # Another language's page is held back only when the customer's has its own.
        translated = lang in (fields.get("languages") or fields["language"]).split()
        weighted = score * (1.0 if own or not translated else OTHER_LANGUAGE_WEIGHT)
        group = groups.setdefault(fields["key"], [weighted, fields, terms, own])
        group[0] = max(group[0], weighted)
        if own and not group[3]:
            group[1:] = [fields, terms, True]
    ordered = sorted(groups.values(), key=lambda group: group[0], reverse=True)
    if not ordered:
        return []
    floor = ordered[0][0] * RELATIVE_FLOOR
    return [(fields, _matched_words(terms)) for score, fields, terms, _ in ordered
            if score >= floor]


def _coverage(terms, words: int) -> float:
    matched = len({text for field, text in terms if not field.startswith(_GRAM_FIELDS)})
    return min(1.0, matched / words) if words > 1 else 1.0


_GRAM_FIELDS = (s.TITLE_GRAMS, s.OUTLINE_GRAMS)


def _matched_words(terms) -> set[str]:
    """The stems that matched a page, fuzzy expansions included; n-grams are left out."""
    return {text.decode() if isinstance(text, bytes) else text
            for field, text in terms if field in _STEMMED_FIELDS}


_STEMMED_FIELDS = frozenset(s.field(kind, lang) for kind in BOOSTS for lang in LANGUAGES)


def _in_language(searcher, fields: dict, lang: str) -> dict:
    """The page's translation in the customer's language when there is one, even if the
    customer's words matched only the other: the same answer, in words they read best."""
    if fields["language"] == lang:
        return fields
    return searcher.document(key=fields["key"], language=lang) or fields


def _product_filter(product: str | None):
    if not product:
        return None
    return Or([Term("product", product), Term("product", s.ANY_PRODUCT)])


def _snippet(fields: dict, matched: set[str], text: str) -> str:
    lang = fields["language"] if fields["language"] in LANGUAGES else LANGUAGES[0]
    typed = typed_prefix(text)
    hits = Hits(lang, frozenset(matched), typed if len(typed) >= s.GRAM_MIN else "")
    return snippet(fields["body"], hits, fallback=fields["summary"])


def _suggestion(fields: dict, matched: set[str], text: str, snippets: bool) -> Suggestion:
    from loket.domain.known_issues import suggestion_title

    product = fields["product"]
    title = suggestion_title(fields["url"], fields["title"], fields["language"])
    return Suggestion(title=title, url=fields["url"],
                      snippet=_snippet(fields, matched, text) if snippets else "",
                      product=None if product == s.ANY_PRODUCT else product,
                      language=fields["language"])
