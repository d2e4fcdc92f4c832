"""Suggestions from the small site's index: analysers, filters, ranking and snippets."""

from __future__ import annotations

import subprocess
import sys

from loket.search.query import typed_prefix
from tests.paths import ROOT


def urls(found) -> list[str]:
    return [s.url for s in found]


def test_dutch_stemming_finds_inflected_words(searcher):
    # "loonstrook" (singular) and "medewerker" find "Loonstroken ... medewerkers".
    assert urls(searcher.suggest("loonstrook medewerker ", lang="nl"))[0] == \
        "/kb/payroll/payslips.nl/"


def test_english_stemming_finds_inflected_words(searcher):
    assert urls(searcher.suggest("payslip emailed ", lang="en"))[0] == "/kb/payroll/payslips/"


def test_accents_need_not_be_typed(searcher):
    found = searcher.suggest("geexporteerd ", lang="nl")
    assert urls(found) == ["/kb/payroll/payslips.nl/"]
    assert "<mark>geëxporteerd</mark>" in found[0].snippet


def test_the_word_being_typed_matches_as_a_prefix(searcher):
    for typed in ("exc", "expo", "export excel fa"):
        assert urls(searcher.suggest(typed, lang="en"))[0] == "/kb/planner/export-excel/", typed


def test_a_finished_word_is_not_a_prefix(searcher):
    assert typed_prefix("export exc") == "exc"
    assert typed_prefix("export exc ") == ""
    assert searcher.suggest("sep ", lang="en") == []
    assert urls(searcher.suggest("sep", lang="en")) == ["/kb/payroll/sepa/"]


def test_a_typo_still_finds_the_article(searcher):
    assert urls(searcher.suggest("payslps not recieved ", lang="en"))[0] == \
        "/kb/payroll/payslips/"
    found = searcher.suggest("exprot excell ", lang="en")
    assert urls(found)[0] == "/kb/planner/export-excel/"
    assert "<mark>export</mark>" in found[0].snippet


def test_the_customers_language_comes_first_one_page_per_translation(searcher):
    assert urls(searcher.suggest("excel", lang="en")) == ["/kb/planner/export-excel/"]
    assert urls(searcher.suggest("excel", lang="nl")) == ["/kb/planner/export-excel.nl/"]


def test_a_translation_is_shown_even_when_only_the_original_matched(searcher):
    # Only the English page says "payslips"; a Dutch customer still gets the Dutch one.
    assert urls(searcher.suggest("payslips", lang="en")) == ["/kb/payroll/payslips/"]
    [found] = searcher.suggest("payslips", lang="nl")
    assert (found.url, found.language) == ("/kb/payroll/payslips.nl/", "nl")


def test_pages_in_another_language_fill_in_when_there_is_no_translation(searcher):
    found = searcher.suggest("sepa afgewezen door de bank", lang="nl")
    assert urls(found) == ["/kb/payroll/sepa/"]
    assert found[0].language == "en"


def test_product_filter_keeps_that_product_and_pages_for_every_product(searcher):
    assert urls(searcher.suggest("export", lang="en", product="payroll")) == []
    assert urls(searcher.suggest("export", lang="en", product="planner")) == \
        ["/kb/planner/export-excel/"]
    found = searcher.suggest("browsers", lang="en", product="payroll")
    assert urls(found) == ["/support/system-requirements/"]
    assert found[0].product is None


def test_at_most_limit_suggestions(searcher):
    assert len(searcher.suggest("the file e-mail bank browsers script", lang="en",
                                limit=2)) == 2


def test_a_suggestion_has_title_url_and_a_snippet_with_the_hits_marked(searcher):
    [found] = searcher.suggest("locked", lang="en")
    assert found.title == 'Export to Excel fails with "The file is locked"'
    assert found.url == "/kb/planner/export-excel/"
    assert (found.product, found.language) == ("planner", "en")
    assert "the file is <mark>locked</mark> by another user" in found.snippet


def test_the_snippet_escapes_everything_but_the_marks(searcher):
    [found] = searcher.suggest("script", lang="en")
    assert found.title == "Notes show <script> tags as text"  # Plain text, not HTML.
    assert "<script" not in found.snippet and "</script" not in found.snippet
    assert "&lt;<mark>script</mark>&gt;alert(&quot;hi&quot;)&lt;/<mark>script</mark>&gt;" \
        in found.snippet
    assert "&amp; never run" in found.snippet


def test_words_that_are_not_there_give_nothing(searcher):
    assert searcher.suggest("zzyzx qwertyuiop", lang="en") == []
    assert searcher.suggest("the and of", lang="en") == []


def test_the_app_imports_whoosh_only_when_it_searches(tmp_path):
    """Handlers that never search must not pay for loading the search engine."""
    code = (
        "import sys\n"
        "from loket.settings import Settings\n"
        "from loket.web.app import create_app\n"
        f"settings = Settings(site_dir=r'{tmp_path}/site', search_index=r'{tmp_path}/none',\n"
        f"                    sqlite_path=r'{tmp_path}/db.sqlite', outbox_dir=r'{tmp_path}/out')\n"
        "client = create_app(settings).test_client()\n"
        "assert client.get('/api/health').status_code == 200\n"
        "assert client.get('/api/suggest?q=export').status_code == 503\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'whoosh'))\n"
    )
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _dutch_only_index(tmp_path):
    from loket.search.index import build_index
    from loket.search.pages import SitePage
    from loket.search.query import WhooshSearcher

    pages = [SitePage(url=f"/kb/{key}.nl/", title=title, headings=(), summary="", body=body,
                      product="", language="nl", key=f"/kb/{key}/")
             for key, title, body in (
                 ("twofactor", "Tweestapsverificatie opnieuw instellen",
                  "Een medewerker met een nieuwe telefoon zet de tweestapsverificatie terug."),
                 ("receipt", "Status van uw melding",
                  "Geen ontvangstbevestiging gekregen? Kijk in de map met ongewenste mail."),
                 ("holiday", "Vakantiegeld wijkt af", "Het vakantiegeld is acht procent."))]
    build_index(pages, tmp_path / "index")
    return WhooshSearcher(tmp_path / "index")


def test_a_compound_split_in_two_with_a_typo_is_found_as_one_word(tmp_path):
    # Dutch writes "tweestapsverificatie" as one word; customers split it, and misspell.
    searcher = _dutch_only_index(tmp_path)
    try:
        assert urls(searcher.suggest("tweestaps verficatie", lang="nl"))[0] == \
            "/kb/twofactor.nl/"
        assert urls(searcher.suggest("tweestaps verificatie ", lang="nl"))[0] == \
            "/kb/twofactor.nl/"
    finally:
        searcher.close()


def test_a_typo_in_the_ending_the_stemmer_takes_off_is_found(tmp_path):
    # "ontvangstbevestigng" keeps its ending (no -ing for the stemmer to take off), so
    # it lies four letters from the indexed stem "ontvangstbevest": its beginning.
    searcher = _dutch_only_index(tmp_path)
    try:
        assert urls(searcher.suggest("ontvangstbevestigng kwijt", lang="nl")) == \
            ["/kb/receipt.nl/"]
    finally:
        searcher.close()
