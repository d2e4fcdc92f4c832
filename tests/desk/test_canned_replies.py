"""Canned replies (#12): kept in git as site_config/replies/*.md, listed on the desk's
ticket page in the ticket's language with the customer's name and the ticket number
filled in, and put into the reply box without JavaScript (nothing stored or sent)."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from loket.config.canned_replies import load_canned_replies
from loket.config.loader import ConfigError
from loket.domain.canned_replies import parse_reply
from loket.services.submission import submit_ticket
from tests.api.conftest import VALID
from tests.desk.conftest import AGENT, ANN, PAYROLL_AGENT, sign_in_as

REPLY = "---\ntitle: Ask for logs\n---\nDear {customer_name}, about {ticket_number}: {agent_name}\n"


def submit(services, *, email=ANN, language="en", product="planner"):
    return submit_ticket(services, {**VALID, "email": email, "product": product,
                                    "language": language},
                         client_address="test:canned").ticket


def textarea(page: str) -> str:
    found = re.search(r'<textarea id="loket-desk-body"[^>]*>(.*?)</textarea>', page, re.S)
    return html_lib.unescape(found.group(1))


def options(page: str) -> list[tuple[str, str, str]]:
    return [(v, html_lib.unescape(t), html_lib.unescape(x)) for v, t, x in re.findall(
        r'<option value="([^"]+)" data-text="([^"]*)">([^<]+)</option>', page)]


def test_a_reply_file_has_a_title_and_known_placeholders_only():
    reply = parse_reply("ask-logs", "en", REPLY)
    assert reply.title == "Ask for logs"
    assert reply.filled({"customer_name": "Ann", "ticket_number": 10001,
                         "agent_name": "Dirk"}) == "Dear Ann, about 10001: Dirk"
    for text, says in [("no front matter", "front matter"),
                       ("---\ntitle: \n---\nText", "title"),
                       ("---\ntitle: T\nauthor: me\n---\nText", "unknown front matter"),
                       ("---\ntitle: T\n---\n", "needs a text"),
                       ("---\ntitle: T\n---\nHello {name}", "unknown placeholder {name}"),
                       ("---\ntitle: [unclosed\n---\nText", "not YAML")]:
        with pytest.raises(ValueError, match=re.escape(says)):
            parse_reply("x", "en", text)


def test_the_folder_is_read_per_language_and_a_bad_file_is_named(tmp_path):
    (tmp_path / "ask-logs.md").write_text(REPLY)
    (tmp_path / "ask-logs.nl.md").write_text(REPLY.replace("Ask for logs", "Logs vragen"))
    replies = load_canned_replies(tmp_path)
    assert {lang: r.title for lang, r in replies["ask-logs"].items()} == {
        "en": "Ask for logs", "nl": "Logs vragen"}
    (tmp_path / "other.nl.md").write_text(REPLY)
    with pytest.raises(ConfigError, match="other.md: missing"):
        load_canned_replies(tmp_path)
    (tmp_path / "other.nl.md").unlink()
    (tmp_path / "bad.md").write_text("---\ntitle: T\n---\nHi {nmae}")
    with pytest.raises(ConfigError, match=r"bad\.md: unknown placeholder \{nmae\}"):
        load_canned_replies(tmp_path)
    (tmp_path / "bad.md").unlink()
    (tmp_path / "x.fr.md").write_text(REPLY)
    with pytest.raises(ConfigError, match="x.fr.md: language 'fr'"):
        load_canned_replies(tmp_path)


def test_the_demo_replies_load_with_the_configuration(desk_services):
    replies = desk_services.config.canned_replies
    assert set(replies["send-logs"]) == {"en", "nl"}


def test_the_ticket_page_lists_the_replies_filled_in_for_the_ticket(desk_services, client):
    sign_in_as(desk_services, client, AGENT)
    ticket = submit(desk_services)
    page = client.get(f"/desk/tickets/{ticket.number}").get_data(as_text=True)
    listed = options(page)
    titles = [title for _, _, title in listed]
    assert "Ask for the log files" in titles and "Fixed in the next release" in titles
    text = dict((v, x) for v, x, _ in listed)["send-logs"]
    # Ann's account has a name (Test Person); the agent's too.
    assert text.startswith("Dear Test Person,") and f"ticket {ticket.number}" in text
    assert "{" not in text
    dutch = submit(desk_services, language="nl", email="zed@elsewhere.example")
    page = client.get(f"/desk/tickets/{dutch.number}").get_data(as_text=True)
    text = dict((v, x) for v, x, _ in options(page))["send-logs"]
    # Without an account the address stands for the name.
    assert text.startswith("Beste zed@elsewhere.example,") and str(dutch.number) in text


def test_insert_puts_the_reply_below_the_text_written_and_stores_nothing(
        desk_services, client, outbox):
    csrf = sign_in_as(desk_services, client, AGENT)
    ticket = submit(desk_services)
    sent = len(outbox.messages())  # the receipt and invitations, sent
    before = desk_services.store.list_messages(ticket.number)
    answer = client.post(f"/desk/tickets/{ticket.number}/canned-reply",
                         data={"csrf_token": csrf, "body": "Hello Ann,\n\nfirst line.\n",
                               "canned_reply": "fixed-in-release"})
    assert answer.status_code == 200
    body = textarea(answer.get_data(as_text=True))
    assert body.startswith("Hello Ann,\n\nfirst line.\n\nDear Test Person,")
    assert f"ticket {ticket.number} is fixed" in body
    assert desk_services.store.list_messages(ticket.number) == before
    assert len(outbox.messages()) == sent
    # Into an empty box: the reply alone.
    answer = client.post(f"/desk/tickets/{ticket.number}/canned-reply",
                         data={"csrf_token": csrf, "body": "", "canned_reply": "send-logs"})
    assert textarea(answer.get_data(as_text=True)).startswith("Dear Test Person,")


def test_an_unknown_reply_keeps_the_text_and_says_so(desk_services, client):
    csrf = sign_in_as(desk_services, client, AGENT)
    ticket = submit(desk_services)
    answer = client.post(f"/desk/tickets/{ticket.number}/canned-reply",
                         data={"csrf_token": csrf, "body": "Mine <b>", "canned_reply": "nope"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "canned" in page.lower()
    assert textarea(page) == "Mine <b>" and "Mine &lt;b&gt;" in page


def test_no_csrf_token_or_another_boards_agent_inserts_nothing(desk_services, client):
    ticket = submit(desk_services)
    sign_in_as(desk_services, client, AGENT)
    assert client.post(f"/desk/tickets/{ticket.number}/canned-reply",
                       data={"canned_reply": "send-logs"}).status_code == 403
    other = client.application.test_client()
    csrf = sign_in_as(desk_services, other, PAYROLL_AGENT)
    assert other.post(f"/desk/tickets/{ticket.number}/canned-reply",
                      data={"csrf_token": csrf, "canned_reply": "send-logs"}).status_code == 404
