"""What a searcher's reader remembers (search/caches.remembering_terms: which terms the
index holds, in how many documents, their term infos; _OpenedIndex.stored: a hit's stored fields)
answers as the index itself does, and each search finds the same pages, asked once or
many times, as a searcher that remembers nothing."""

from __future__ import annotations

import pytest
from whoosh.index import open_dir
from whoosh.reading import TermNotFound

from loket.search.caches import TERMS, remembering_terms
from loket.search.index import build_index
from loket.search import query
from loket.search.languages import LANGUAGES
from loket.search.query import WhooshSearcher
from loket.search.schema import stemming_analyzer
from tests.search.test_republish import BEFORE, NEW

WORDS = ["roster", "export", "holiday", "pay", "payslip", "crash", "ro", "zzz", "eight"]
FIELDS = ["title_en", "outline_en", "body_en", "tgrams_en", "body_nl", "product", "url"]
SUBJECTS = ["roster export crashes", "Holiday pay", "rostr exprot", "payslips by mail",
            "holiday", "nothing like it"]


def test_a_remembering_reader_answers_as_the_index(tmp_path):
    build_index([*BEFORE, NEW], tmp_path / "index")
    index = open_dir(str(tmp_path / "index"), readonly=True)
    plain, remembering = index.reader(), remembering_terms(index.reader())
    try:
        for _ in range(2):  # asked, then remembered
            for field in FIELDS:
                for word in WORDS:
                    for text in (word, word.encode()):
                        assert ((field, text) in remembering) == ((field, text) in plain)
                    assert remembering.doc_frequency(field, word) == \
                        plain.doc_frequency(field, word)
                    assert term_info(remembering, field, word) == term_info(plain, field, word)
        assert ("body_en", "roster") in remembering
        assert remembering.doc_frequency("title_en", "holiday") == 1
        assert term_info(remembering, "body_en", "roster")[1] == 1
    finally:
        plain.close()
        remembering.close()


def term_info(reader, field: str, word: str):
    try:
        info = reader.term_info(field, word)
    except TermNotFound:
        return "not found"
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
            info.max_weight(), info.min_id(), info.max_id())


def test_a_full_memory_starts_again(tmp_path, monkeypatch):
    build_index(BEFORE, tmp_path / "index")
    index = open_dir(str(tmp_path / "index"), readonly=True)
    plain, reader = index.reader(), remembering_terms(index.reader())
    monkeypatch.setattr("loket.search.caches.TERMS", 3)
    try:
        for _ in range(2):
            for word in WORDS:
                assert (("body_en", word) in reader) == (("body_en", word) in plain)
                assert len(reader._known_terms) <= 3 < TERMS
    finally:
        plain.close()
        reader.close()


def test_searches_find_what_a_searcher_without_memory_finds(tmp_path, monkeypatch):
    build_index([*BEFORE, NEW], tmp_path / "index")
    searcher = WhooshSearcher(tmp_path / "index")
    try:
        remembered = [[(s.url, s.title, s.snippet) for s in
                       searcher.suggest(text, lang="en", product="planner")]
                      for text in SUBJECTS * 2]
    finally:
        searcher.close()
    # The same searches without the remembering reader or stored fields: whoosh's own.
    monkeypatch.setattr("loket.search.caches.remembering_terms", lambda reader: reader)
    monkeypatch.setattr("loket.search.query._OpenedIndex.stored",
                        lambda self, searcher, docnum: searcher.stored_fields(docnum))
    plain = WhooshSearcher(tmp_path / "index")
    try:
        assert [[(s.url, s.title, s.snippet) for s in
                 plain.suggest(text, lang="en", product="planner", limit=5)]
                for text in SUBJECTS * 2] == remembered
    finally:
        plain.close()
    assert any(remembered)


STEMMED = ["Run 0 #17", "Export to Excel fails", "e-mailed OneDrive's files", "wi-fi 2fa-codes",
           "  lead\ttrail\u00a0nbsp  ", "", "Überweisung schlägt fehl: Empfänger", "the a an",
           "Wachtwoord vergeten, tweestaps verificatie werkt niet", "x" * 60 + " " + "y" * 3]


@pytest.mark.parametrize("text", STEMMED)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_stems_remembered_by_piece_are_the_whole_texts(text, lang):
    # query._stems analyses each whitespace-separated piece on its own (remembered):
    # the same stems, in the same order, as analysing the text whole.
    whole = dict.fromkeys(t.text for t in stemming_analyzer(lang)(text, mode="query"))
    assert query._stems(text, lang) == tuple(whole)[:query.MAX_WORDS]


def test_absent_words_as_null_queries_score_exactly_as_before(tmp_path):
    # query.absent_as_null: the same hits, scores (to the last bit) and matched terms.
    build_index([*BEFORE, NEW], tmp_path / "index")
    searcher = WhooshSearcher(tmp_path / "index")
    try:
        searcher.suggest("warm up", lang="en")
        opened = searcher._open()
        whoosh = searcher._searcher(opened)
        reader = whoosh.reader()
        compared = 0
        for text in [*SUBJECTS, "roster export crashes twice", "rostr exprot", "payslip email",
                     "holiday roster payslips percentage", "zz yy xx", "export roster"]:
            for lang in LANGUAGES:
                plain = query.build_query(text, lang, reader, opened.rules)
                if plain is None:
                    continue
                nulled = query.absent_as_null(query.build_query(text, lang, reader,
                                                                opened.rules), reader)
                hits = [[(hit.docnum, hit.score, frozenset(hit.matched_terms()))
                         for hit in whoosh.search(each, limit=20, terms=True)]
                        for each in (plain, nulled)]
                assert hits[0] == hits[1], text
                compared += bool(hits[0])
        assert compared >= 5
    finally:
        searcher.close()
