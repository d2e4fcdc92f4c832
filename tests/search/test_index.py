"""Building the index: from a site folder (`loket search-build`) and during the site build."""

from __future__ import annotations

import os
import subprocess
import sys

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
    # The home page (support hours, response targets) and the look-up page ("cannot
    # find the receipt?") answer questions; their forms are not part of the text.
    assert {"/", "/nl/", "/support/status/", "/nl/support/status/"} <= urls
    for listing in ("/kb/", "/kb/tags/", "/support/submit/", "/nl/support/submit/",
                    "/support/page/", "/release-notes/", "/release-notes/category/planner/",
                    "/release-notes/archive/2026/"):
        assert listing not in urls


def test_the_status_page_is_indexed_without_its_look_up_form(demo_site):
    status = next(f for f in stored(demo_site.index) if f["url"] == "/support/status/")
    assert "Cannot find the receipt?" in " ".join((status["body"], *status.get("headings", ())))\
        or "spam" in status["body"]
    assert "access code" in status["body"].lower()


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


def index_files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_the_same_pages_give_the_same_index_byte_for_byte(small_site, tmp_path):
    """The Lambda zip ships the index and must be reproducible: no random segment names,
    no file times, no hash order of the stop words (another process, another seed)."""
    import random

    from loket.search.vocabulary import load_dir
    from tests.paths import ROOT

    before = random.getstate()
    # The subprocesses run in the project root, so they read site_config/search too.
    build_index(read_site(small_site.site), tmp_path / "here",
                load_dir(ROOT / "site_config" / "search"))
    script = ("import sys; from pathlib import Path; "
              "from loket.search.index import build_index_from_site; "
              "build_index_from_site(Path(sys.argv[1]), Path(sys.argv[2]))")
    for seed in ("1", "2"):
        subprocess.run([sys.executable, "-c", script, str(small_site.site),
                        str(tmp_path / f"seed{seed}")], check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONHASHSEED": seed})
    ours = index_files(tmp_path / "here")
    assert any(name.endswith(".seg") for name in ours)
    assert index_files(tmp_path / "seed1") == ours
    assert index_files(tmp_path / "seed2") == ours
    assert stored_urls(tmp_path / "seed2") == stored_urls(small_site.index)
    assert random.getstate() == before  # the build put the random module back as it was
