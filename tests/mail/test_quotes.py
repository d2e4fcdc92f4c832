"""Quoted history is stripped from replies: talon's fixtures from real mail clients,
their HTML alternatives, and the Dutch and Outlook forms our customers send."""

from __future__ import annotations

import email
from email import policy

import pytest

from loket.mail.html_text import html_to_text
from loket.mail.inbound import read_mail
from loket.mail.quotes import strip_quotes
from tests.mail.conftest import MAIL_CORPUS

REPLIES = MAIL_CORPUS / "talon" / "standard_replies"
# talon's rule: the reply is the file <name>_reply_text when there is one, else "Hello".
# Sparrow's expectation keeps the signature; we drop everything after "-- " on purpose.
EXPECTED = {"iphone": (REPLIES / "iphone_reply_text").read_text().strip(),
            "sparrow": "Hello"}
CLIENTS = sorted(p.stem for p in REPLIES.glob("*.eml"))


def test_talon_expectations_are_where_we_think():
    assert {"gmail", "outlook", "thunderbird", "android", "sparrow"} <= set(CLIENTS)
    assert EXPECTED["iphone"] == "Hello\n\nSent from my iPhone"


@pytest.mark.parametrize("client", CLIENTS)
def test_reply_text_of_each_mail_client(client):
    mail = read_mail((REPLIES / f"{client}.eml").read_bytes())
    assert mail.reply_text == EXPECTED.get(client, "Hello")
    assert mail.reply_text in mail.text


def html_part(client: str) -> str | None:
    msg = email.message_from_bytes((REPLIES / f"{client}.eml").read_bytes(),
                                   policy=policy.default)
    html = msg.get_body(("html",))
    return html.get_content() if html is not None else None


# Outlook's HTML alternative says something else than its text part (talon's fixture).
HTML_EXPECTED = {"outlook": "Allo! Follow up MIME!"}


@pytest.mark.parametrize("client", [c for c in CLIENTS if html_part(c) is not None])
def test_html_alternative_gives_the_same_reply(client):
    expected = HTML_EXPECTED.get(client) or EXPECTED.get(client, "Hello")
    assert strip_quotes(html_to_text(html_part(client))) == expected


def test_yahoo_share_block_keeps_the_answer_and_drops_the_history():
    mail = read_mail((MAIL_CORPUS / "talon" / "reply-quotations-share-block.eml").read_bytes())
    assert mail.reply_text.startswith("Hi Katharine.")
    assert mail.reply_text.endswith("Joe XXX")
    assert "New Booking Inquiry" in mail.text and "New Booking Inquiry" not in mail.reply_text


@pytest.mark.parametrize("text", [
    "Dank u, het werkt weer.\n\nOp di 24 nov. 2026 om 10:12 schreef Nordwind Support "
    "<support@nordwind.example>:\n\n> Probeer het opnieuw.\n",
    "Dank u, het werkt weer.\n\nOp 24 nov. 2026 om 10:12 heeft Nordwind Support "
    "<support@nordwind.example> het volgende geschreven:\n\n> Probeer het opnieuw.\n",
    "Dank u, het werkt weer.\n\n-----Oorspronkelijk bericht-----\nVan: Nordwind Support\n"
    "Verzonden: dinsdag 24 november 2026 10:12\nAan: Ann\nOnderwerp: [#10001]\n\n"
    "Probeer het opnieuw.\n",
    "Dank u, het werkt weer.\n\n________________________________\nVan: Nordwind Support "
    "<support@nordwind.example>\nVerzonden: dinsdag 24 november 2026 10:12\nAan: Ann\n\n"
    "Probeer het opnieuw.\n",
    "Dank u, het werkt weer.\n\n-- \nAnn de Vries\nFinanciële administratie\n",
    "On Tue, Nov 24, 2026 at 10:12 AM Nordwind Support <support@nordwind.example>\n"
    "wrote:\n> Probeer het opnieuw.\n\nDank u, het werkt weer.",
], ids=["gmail-nl", "apple-nl", "outlook-nl", "outlook-web-nl", "signature",
        "wrapped-attribution-above"])
def test_dutch_and_outlook_history(text):
    assert strip_quotes(text) == "Dank u, het werkt weer."


def test_interleaved_answers_are_kept():
    text = "> Which version?\n8.2\n> Which browser?\nEdge\n"
    assert strip_quotes(text) == "8.2\nEdge"


def test_a_line_of_the_customers_own_ending_in_a_colon_stays():
    text = "This is what I did:\n\n> quoted\n\nIt failed."
    assert strip_quotes(text) == "This is what I did:\n\nIt failed."


def test_an_answer_written_only_inside_the_quote_is_kept_whole():
    text = "> Which version?\n> 8.2"
    assert strip_quotes(text) == text


def test_html_without_plain_text_becomes_readable_text():
    html = ("<html><head><style>p {color: red}</style><script>alert(1)</script></head>"
            "<body><p>Export&nbsp;fails &amp; shows <b>error 42</b>.</p><div>Second line"
            "<br>Third line</div><!-- hidden --><blockquote>Old mail</blockquote></body></html>")
    assert html_to_text(html) == ("Export fails & shows error 42.\n\nSecond line\n"
                                  "Third line\n\n> Old mail")
