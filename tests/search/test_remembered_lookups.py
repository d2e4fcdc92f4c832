"""What a searcher's reader remembers (search/caches.remembering_terms: which terms the
index holds and in how many documents; _OpenedIndex.stored: a hit's stored fields)
answers as the index itself does, and each search finds the same pages, asked once or
many times, as a searcher that remembers nothing."""

from __future__ import annotations

from whoosh.index import open_dir

from loket.search.caches import TERMS, remembering_terms
from loket.search.index import build_index
from loket.search.query import WhooshSearcher
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
        assert ("body_en", "roster") in remembering
        assert remembering.doc_frequency("title_en", "holiday") == 1
    finally:
        plain.close()
        remembering.close()


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
