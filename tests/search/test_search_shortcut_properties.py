"""The receipt search's shortcuts (#13) answer as the general code: expansion rules looked
up by their trigger's first stem (query.Rules, 4719545) fire as testing every rule did,
and what a searcher keeps while its index stays the same (term infos, field lengths,
BM25F scorers, answers: caches.py) never outlives that index: after a build publishes
another index at the same place, the same searcher scores every hit, to the last bit, as
whoosh does on a fresh, plain searcher of the new index."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.index import open_dir
from whoosh.query import And, Or, Term

from loket.search import query
from loket.search import schema as s
from loket.search import vocabulary as v
from loket.search.index import build_index
from loket.search.query import WhooshSearcher
from tests.search.test_republish import page

STEMS = ["a", "b", "c", "d", "e", "f"]
triggers = st.lists(st.sampled_from(STEMS), min_size=1, max_size=3).map(tuple)
targets = st.lists(st.tuples(st.sampled_from(["en", "nl"]), triggers), max_size=2)


def reference_expansions(rules, lang: str, stems: list[str]) -> list:
    """query._expansions before 4719545 (git show 4333025^:functions/loket/search/query.py):
    every rule tested against the query's stems."""
    present = set(stems)
    clauses, added = [], set()
    for trigger, targets_ in rules:
        if not present.issuperset(trigger):
            continue
        for language, words in targets_:
            if (language, words) in added or (language == lang and present.issuperset(words)):
                continue
            added.add((language, words))
            per_word = [Or([Term(s.field(kind, language), word,
                                 boost=boost * query.EXPANSION_WEIGHT / len(words))
                            for kind, boost in query.BOOSTS.items()]) for word in words]
            clauses.append(per_word[0] if len(per_word) == 1 else And(per_word))
    return clauses


@settings(derandomize=True, max_examples=400, deadline=None)
@given(st.lists(st.tuples(triggers, targets), max_size=12),
       st.lists(st.sampled_from(STEMS), max_size=5), st.sampled_from(["en", "nl"]))
def test_rules_by_first_stem_fire_as_testing_every_rule(rules, stems, lang):
    indexed = query.Rules(rules)
    assert indexed.triggered(set(stems)) == [r for r in rules if set(stems).issuperset(r[0])]
    assert query._expansions(indexed, lang, stems) == reference_expansions(rules, lang, stems)


WORDS = ["roster", "export", "crash", "holiday", "pay", "payslip", "shift", "week"]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
sites = st.lists(st.tuples(texts, texts), min_size=1, max_size=5)
SUBJECTS = ["roster export", "holiday pay", "rostr exprot", "payslip week shift", "crash"]


def scored(searcher, opened, text: str) -> list[tuple[int, float]]:
    """What the searcher's whoosh searcher gives for the query of `text`."""
    whoosh = searcher._searcher(opened)
    built = query.build_query(text, "en", whoosh.reader(), opened.rules)
    if built is None:
        return []
    built = query.absent_as_null(built, whoosh.reader())
    return [(hit.docnum, hit.score) for hit in whoosh.search(built, limit=20)]


def plain_scored(path: Path, text: str) -> list[tuple[int, float]]:
    """The same query on a fresh whoosh searcher that remembers nothing."""
    index = open_dir(str(path), readonly=True)
    with index.searcher() as whoosh:
        built = query.build_query(text, "en", whoosh.reader(),
                                  query.expansion_rules(v.EMPTY))
        return [] if built is None else [(hit.docnum, hit.score)
                                         for hit in whoosh.search(built, limit=20)]


def build(pages: list[tuple[str, str]], path: Path) -> None:
    build_index([page(f"p{i}", title, body) for i, (title, body) in enumerate(pages)], path)


@settings(derandomize=True, max_examples=12, deadline=None)
@given(sites, sites)
def test_a_searcher_scores_a_republished_index_as_a_fresh_one(before, after):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "index")
        build(before, path)
        searcher = WhooshSearcher(path)
        try:
            for text in SUBJECTS * 2:  # remembered: terms, lengths, scorers, answers
                searcher.suggest(text, lang="en", product="planner")
                assert scored(searcher, searcher._open(), text) == plain_scored(path, text)
            build(after, path)
            fresh = WhooshSearcher(path)
            try:
                for text in SUBJECTS * 2:
                    assert scored(searcher, searcher._open(), text) == \
                        plain_scored(path, text), text
                    assert searcher.suggest(text, lang="en", product="planner") == \
                        fresh.suggest(text, lang="en", product="planner"), text
            finally:
                fresh.close()
        finally:
            searcher.close()
