"""Synonyms and the nl<->en glossary (site_config/search/): checked, shipped, expanded (#16)."""

from __future__ import annotations

import pytest

from loket.search.query import build_query, expansion_rules
from loket.search.vocabulary import Vocabulary, VocabularyError, load_dir, read_index
from tests.paths import ROOT


def test_the_site_vocabulary_is_valid_and_covers_both_ways():
    vocabulary = load_dir(ROOT / "site_config" / "search")
    assert {"en", "nl"} <= set(vocabulary.synonyms)
    assert {"nl": "vakantiegeld", "en": "holiday allowance"} in vocabulary.glossary


@pytest.mark.parametrize("name, text, error", [
    ("synonyms.en.yml", "- [rota]\n", "synonyms.en.yml: group 1 must list two or more words"),
    ("synonyms.nl.yml", "rooster: planning\n", "synonyms.nl.yml: expected a list"),
    ("glossary.yml", "- {nl: agenda}\n", "glossary.yml: entry 1 must give a word for each"),
    ("glossary.yml", "- {nl: agenda, en: ''}\n", "glossary.yml: entry 1"),
])
def test_a_malformed_file_is_refused_naming_file_and_entry(tmp_path, name, text, error):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match=error):
        load_dir(tmp_path)


def test_the_index_carries_its_vocabulary(small_site):
    assert read_index(small_site.index).glossary  # built from site_config/search
    assert read_index(small_site.site) == Vocabulary()  # no file: nothing expands


def test_a_dutch_word_looks_up_its_english_translation_and_synonyms(small_site):
    from whoosh.index import open_dir

    rules = expansion_rules(Vocabulary(
        synonyms={"en": [["rota", "schedule"]]},
        glossary=[{"nl": "vakantiegeld", "en": "holiday allowance"}]))
    with open_dir(str(small_site.index)).searcher() as searcher:
        plain = str(build_query("vakantiegeld", "nl", searcher.reader()))
        expanded = str(build_query("vakantiegeld", "nl", searcher.reader(), rules))
        rota = str(build_query("rota", "en", searcher.reader(), rules))
    assert "body_en:allow" not in plain
    # The phrase's words must all match: an And, not any one of them.
    assert "AND" in expanded and "body_en:holiday" in expanded and "body_en:allow" in expanded
    assert "title_en:schedul" in rota
