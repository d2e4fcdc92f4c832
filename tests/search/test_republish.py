"""A searcher keeps answers, filters and word expansions with the index it opened
(search/caches.py). A build that publishes a new index must make all of it new: the
article published since shows up in suggestions and in the next receipt, in the same
process, without a restart."""

from __future__ import annotations

import email
from email.policy import default as default_policy

from loket.search.index import build_index
from loket.search.pages import SitePage
from loket.search.query import WhooshSearcher
from tests.search.test_suggest_api import make_client

TICKET = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
          "subject": "Roster export crashes", "description": "It crashes."}


def page(key: str, title: str, body: str, product: str = "planner") -> SitePage:
    return SitePage(url=f"/kb/{product}/{key}/", title=title, headings=(), summary="",
                    body=body, product=product, language="en", key=f"/kb/{product}/{key}/")


BEFORE = [page("payslips", "Payslips by e-mail", "Payslips are sent on the first workday."),
          page("holidays", "Holiday pay", "Holiday pay is eight percent.")]
NEW = page("roster-export", "Roster export crashes", "Export the roster in smaller parts.")


def urls(found) -> list[str]:
    return [each.url for each in found]


def test_an_article_published_later_is_suggested_by_the_same_searcher(tmp_path):
    build_index(BEFORE, tmp_path / "index")
    searcher = WhooshSearcher(tmp_path / "index")
    try:
        # Asked twice, and once with a typo (a remembered word expansion), before...
        for text in ("roster export crashes", "roster export crashes", "rostr exprot"):
            assert urls(searcher.suggest(text, lang="en", product="planner")) == []
        build_index([*BEFORE, NEW], tmp_path / "index")
        # ...and after the new index is published.
        for text in ("roster export crashes", "rostr exprot"):
            assert urls(searcher.suggest(text, lang="en", product="planner")) == \
                ["/kb/planner/roster-export/"], text
        # An article taken out again goes the same way.
        build_index(BEFORE, tmp_path / "index")
        assert searcher.suggest("roster export crashes", lang="en", product="planner") == []
    finally:
        searcher.close()


def test_remembered_answers_are_the_answers(tmp_path):
    build_index([*BEFORE, NEW], tmp_path / "index")
    searcher = WhooshSearcher(tmp_path / "index")
    try:
        first = searcher.suggest("holday pay", lang="en", product="planner")
        assert urls(first) == ["/kb/planner/holidays/"]
        again = searcher.suggest("holday pay", lang="en", product="planner")
        assert again == first and again is not first  # a list of its own to keep
        # Another product, language or limit is another question.
        assert searcher.suggest("holday pay", lang="en", product="payroll") == []
    finally:
        searcher.close()


def receipt_text(tmp_path, client) -> str:
    from loket.services.mail_dispatch import send_queued

    assert client.post("/api/tickets", json=TICKET).status_code == 201
    send_queued(client.application.extensions["loket"])
    newest = sorted((tmp_path / "outbox").glob("*.eml"))[-1]
    mail = email.message_from_bytes(newest.read_bytes(), policy=default_policy)
    return mail.get_body(("plain",)).get_content()


def test_the_next_receipt_suggests_an_article_published_meanwhile(tmp_path):
    build_index(BEFORE, tmp_path / "index")
    searcher = WhooshSearcher(tmp_path / "index")
    client = make_client(tmp_path, searcher)
    try:
        assert "roster-export" not in receipt_text(tmp_path, client)
        build_index([*BEFORE, NEW], tmp_path / "index")
        assert "http://portal.test/kb/planner/roster-export/" in receipt_text(tmp_path, client)
    finally:
        searcher.close()


def test_typo_expansions_are_whooshs_own(tmp_path):
    # caches.terms_within measures the distance to the field's words of the same
    # beginning and about the same length: it must find what whoosh's
    # reader.terms_within finds (a Levenshtein automaton walking the term dictionary),
    # field by field, in the same order.
    from loket.search.caches import terms_within

    build_index([*BEFORE, NEW], tmp_path / "index")
    searcher = WhooshSearcher(tmp_path / "index")
    try:
        searcher.suggest("warm up", lang="en")
        reader = searcher._searcher(searcher._open()).reader()
        found = set()
        for field in ("title_en", "outline_en", "body_en"):
            for word, edits in (("rostr", 1), ("exporr", 1), ("holidy", 1), ("payslipz", 1),
                                ("percentagge", 2), ("zzzz", 1), ("roster", 1), ("rsoter", 2),
                                ("exportt", 2), ("xport", 1), ("holliday", 1), ("paysilp", 2),
                                ("expört", 1), ("expo", 2), ("ro", 1), ("rooster", 2)):
                expected = list(reader.terms_within(field, word, edits, prefix=edits))
                assert terms_within(reader, field, word, edits, edits) == expected
                assert terms_within(reader, field, word, edits, edits) == expected
                found.update(expected)
        assert {"roster", "export", "holiday", "payslip"} <= found
    finally:
        searcher.close()
