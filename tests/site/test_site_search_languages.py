"""The site's own search box (MkDocs Material) has one index per language (#16): /nl/
pages search the Dutch pages with lunr's Dutch stemmer, the others the English pages
with the English one. Checked on the strictly built demo site (the session's build)."""

from __future__ import annotations

import json
import re

SEARCH_INDEX = "search/search_index.json"
STEMMED = ["stemmer", "stopWordFilter", "trimmer"]


def search_index(site, folder: str = "") -> dict:
    return json.loads((site / folder / SEARCH_INDEX).read_text(encoding="utf-8"))


def search_base(page_html: str) -> str:
    config = re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                       page_html, re.S)
    return json.loads(config.group(1))["base"]


def test_each_language_has_its_own_index_with_its_stemmer(demo_site):
    english, dutch = search_index(demo_site), search_index(demo_site, "nl")
    assert english["config"]["lang"] == ["en"] and english["config"]["pipeline"] == STEMMED
    assert dutch["config"]["lang"] == ["nl"] and dutch["config"]["pipeline"] == STEMMED
    titles_en = {doc["title"] for doc in english["docs"]}
    titles_nl = {doc["title"] for doc in dutch["docs"]}
    assert "Systeemeisen" in titles_nl and "Systeemeisen" not in titles_en
    assert "System requirements" in titles_en and "System requirements" not in titles_nl
    # Locations are relative to the language's folder, the Dutch search box's base.
    assert not any(doc["location"].startswith("nl/") for doc in english["docs"] + dutch["docs"])
    assert any(doc["location"].startswith("support/system-requirements/")
               for doc in dutch["docs"])
    assert (demo_site / "assets/javascripts/lunr/min/lunr.nl.min.js").is_file()


def test_dutch_pages_search_the_dutch_index(demo_site):
    page = (demo_site / "nl/support/system-requirements/index.html").read_text(encoding="utf-8")
    # From nl/support/system-requirements/ two levels up is nl/, where the index is.
    assert search_base(page) == "../.."
    home = (demo_site / "nl/index.html").read_text(encoding="utf-8")
    assert search_base(home) == "."
    english = (demo_site / "support/system-requirements/index.html").read_text(encoding="utf-8")
    assert search_base(english) == "../.."
    assert search_base((demo_site / "index.html").read_text(encoding="utf-8")) == "."
