"""The receipt e-mail lists articles that may answer the ticket, and never needs them."""

from __future__ import annotations

import email
from email.policy import default as default_policy

import pytest

from loket.ports import Suggestion
from tests.search.test_suggest_api import make_client

TICKET = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
          "subject": "Export to Excel: file locked", "description": "Export fails."}


class FakeSearcher:
    def __init__(self, found=None, error=None):
        self.found, self.error, self.calls = found or [], error, []

    def suggest(self, text, *, lang, product=None, limit=5, snippets=True):
        self.calls.append((text, lang, product, limit))
        if self.error:
            raise self.error
        return self.found[:limit]


def receipt(tmp_path, client):
    """The receipt the dispatcher wrote to the outbox (run here, as `loket serve` does)."""
    from loket.services.mail_dispatch import send_queued

    send_queued(client.application.extensions["loket"])
    [path] = sorted((tmp_path / "outbox").glob("*.eml"))
    mail = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    text, html = (mail.get_body((kind,)).get_content() for kind in ("plain", "html"))
    return text.replace("\r\n", "\n"), html


ARTICLE = Suggestion(title="Export & <Excel> fails", url="/kb/planner/export-excel/",
                     snippet="…", product="planner", language="en")


def test_the_receipt_lists_suggestions_with_absolute_links(tmp_path):
    search = FakeSearcher([ARTICLE])
    client = make_client(tmp_path, search)
    assert client.post("/api/tickets", json=TICKET).status_code == 201
    text, html = receipt(tmp_path, client)
    assert search.calls == [(TICKET["subject"], "en", "planner", 3)]
    assert "These articles may help while you wait:" in text
    assert "  - Export & <Excel> fails\n    http://portal.test/kb/planner/export-excel/" in text
    assert ('<a href="http://portal.test/kb/planner/export-excel/">'
            "Export &amp; &lt;Excel&gt; fails</a>") in html


def test_a_dutch_receipt_lists_them_in_dutch(tmp_path):
    client = make_client(tmp_path, FakeSearcher([ARTICLE]))
    client.post("/api/tickets", json={**TICKET, "language": "nl"})
    text, html = receipt(tmp_path, client)
    assert "Deze artikelen helpen u misschien terwijl u wacht:" in text
    assert "Deze artikelen helpen u misschien terwijl u wacht:" in html


@pytest.mark.parametrize("search", [None, FakeSearcher([]), FakeSearcher(error=OSError("gone"))])
def test_without_suggestions_the_receipt_goes_without_the_list(tmp_path, search):
    client = make_client(tmp_path, search)
    response = client.post("/api/tickets", json=TICKET)
    assert response.status_code == 201
    text, html = receipt(tmp_path, client)
    assert "may help" not in text and "may help" not in html
    assert str(response.get_json()["number"]) in text


def test_the_receipt_uses_the_real_index(tmp_path, searcher):
    client = make_client(tmp_path, searcher)
    client.post("/api/tickets", json=TICKET)
    text, _ = receipt(tmp_path, client)
    assert "http://portal.test/kb/planner/export-excel/" in text
