"""Building the index: from a site folder (`loket search-build`) and during the site build."""

from __future__ import annotations

from click.testing import CliRunner

from loket.cli import main
from loket.search.index import build_index
from loket.search.pages import read_site


def stored(index_dir) -> list[dict]:
    from whoosh.index import open_dir

    with open_dir(str(index_dir)).searcher() as searcher:
        return list(searcher.all_stored_fields())


def stored_urls(index_dir) -> set[str]:
    return {fields["url"] for fields in stored(index_dir)}


def test_search_build_indexes_a_built_site_folder(small_site, tmp_path):
    out = tmp_path / "search" / "index"
    result = CliRunner().invoke(main, ["search-build", "--site-dir", str(small_site.site),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "7 pages indexed" in result.output
    assert stored_urls(out) == {page.url for page in read_site(small_site.site)}


def test_search_build_without_a_site_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["search-build", "--site-dir", str(tmp_path / "nope"),
                                       "--out", str(tmp_path / "index")])
    assert result.exit_code != 0
    assert "no built site here" in result.output


def test_a_rebuild_replaces_the_index_whole_and_leaves_nothing_behind(small_site, tmp_path):
    out = tmp_path / "index"
    pages = list(read_site(small_site.site))
    build_index(pages, out)
    build_index(pages[:2], out)
    assert stored_urls(out) == {page.url for page in pages[:2]}
    assert [p.name for p in tmp_path.iterdir()] == ["index"]


def test_the_site_build_indexes_articles_and_leaves_out_forms_and_listings(demo_site):
    urls = stored_urls(demo_site.index)
    assert "/kb/planner/export-excel-file-locked/" in urls
    assert "/support/system-requirements/" in urls
    assert "/release-notes/2026/01/27/planner-2026-1/" in urls
    for listing in ("/", "/kb/", "/kb/tags/", "/support/submit/", "/support/status/",
                    "/support/page/", "/release-notes/", "/release-notes/category/planner/",
                    "/release-notes/archive/2026/"):
        assert listing not in urls


def test_each_translation_is_indexed_once_in_its_own_language(demo_site):
    # Wherever the site puts translations (page.nl/ or nl/page/), and however it falls
    # back to English for pages not translated yet.
    pages = [(f["key"], f["language"]) for f in stored(demo_site.index)]
    assert len(pages) == len(set(pages))
    assert ("/kb/payroll/payslips-not-emailed/", "nl") in pages
    assert ("/kb/payroll/payslips-not-emailed/", "en") in pages
    assert ("/kb/payroll/sepa-file-rejected-by-bank/", "nl") not in pages


def test_the_site_build_and_search_build_give_the_same_index(demo_site, tmp_path):
    CliRunner().invoke(main, ["search-build", "--site-dir", str(demo_site.site),
                              "--out", str(tmp_path / "index")])
    assert stored_urls(tmp_path / "index") == stored_urls(demo_site.index)


def test_release_notes_carry_the_product_of_their_category(demo_site):
    products = {f["url"]: f["product"] for f in stored(demo_site.index)}
    assert products["/release-notes/2026/01/27/planner-2026-1/"] == "planner"
    assert products["/support/system-requirements/"] == "_any"
