"""Reading a rendered page: title, headings, body, product and language, nothing else."""

from __future__ import annotations

from pathlib import Path

from loket.search.pages import read_page, read_site, translation_key, url_of


def test_a_page_gives_its_title_headings_text_and_metadata(small_site):
    html = (small_site.site / "kb/planner/export-excel/index.html").read_text()
    page = read_page(html, "/kb/planner/export-excel/")
    assert page.title == 'Export to Excel fails with "The file is locked"'
    assert page.headings == ("Symptoms", "Solution", "Related articles")
    assert page.summary == "The Excel export of a schedule stops: the file is locked."
    assert page.body.startswith("When you export a schedule to Excel, Planner says")
    assert (page.product, page.language) == ("planner", "en")


def test_navigation_permalinks_tags_and_scripts_are_not_content(small_site):
    html = (small_site.site / "kb/planner/export-excel/index.html").read_text()
    page = read_page(html, "/kb/planner/export-excel/")
    text = " ".join((page.title, *page.headings, page.body))
    for noise in ("¶", "Navigation", "notContent"):
        assert noise not in text
    assert "Symptoms" not in page.body  # Headings are their own field.


def test_list_items_that_only_link_elsewhere_are_not_content(small_site):
    html = (small_site.site / "kb/planner/export-excel/index.html").read_text()
    page = read_page(html, "/kb/planner/export-excel/")
    assert "SEPA" not in page.body
    assert "Or switch on unique file names under My settings." in page.body


def test_a_page_marked_exclude_stays_out(small_site):
    html = (small_site.site / "support/submit/index.html").read_text()
    assert read_page(html, "/support/submit/") is None


def test_translations_share_a_key():
    assert translation_key("/kb/payroll/payslips.nl/") == "/kb/payroll/payslips/"
    assert translation_key("/nl/kb/payroll/payslips/") == "/kb/payroll/payslips/"
    assert translation_key("/kb/payroll/payslips/") == "/kb/payroll/payslips/"
    assert translation_key("/nl/") == "/"  # The Dutch home page translates the home page.
    assert translation_key("/kb/example.de/") == "/kb/example.de/"  # Not a site language.


def test_site_folders_become_urls():
    assert url_of(Path("index.html")) == "/"
    assert url_of(Path("kb/planner/a/index.html")) == "/kb/planner/a/"
    assert url_of(Path("kb/page.html")) == "/kb/page.html"


def test_reading_a_site_skips_assets_404_and_excluded_pages(small_site):
    urls = {page.url for page in read_site(small_site.site)}
    assert "/kb/payroll/payslips.nl/" in urls and "/support/system-requirements/" in urls
    assert not urls & {"/support/submit/", "/404.html", "/assets/export.html"}
