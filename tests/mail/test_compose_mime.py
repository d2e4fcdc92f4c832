"""compose() builds its MIME message without the email package's header objects (they
cost the dispatcher half of a receipt's CPU): the message must still be the one
EmailMessage.set_content and add_alternative build, byte for byte but for the random
boundary, for every kind of value a header or body can hold."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import formatdate, make_msgid

import pytest

from loket.mail.compose import (TEMPLATE_FILES, _alternatives, _environment, compose,
                                mail_domain, set_subject)

WHEN = datetime(2026, 12, 2, 3, 41, 53, 750_000, tzinfo=timezone.utc)


def compose_with_set_content(kind, *, lang, mail_from, to, data, message_id=None,
                             thread_root=None, date=None) -> EmailMessage:
    """compose() as it was written before: every header through the registry, the
    bodies through set_content and add_alternative."""
    env = _environment()
    render = {name: env.get_template(f"{kind}/{lang}/{name}").render(**data)
              for name in TEMPLATE_FILES}
    msg = EmailMessage()
    subject = " ".join(render["subject.txt"].split())
    if subject.isascii():
        msg["Subject"] = subject
    else:
        set_subject(msg, subject)  # non-ASCII: Header.encode, set raw, as before
    msg["From"] = mail_from
    msg["To"] = str(Address(addr_spec=to))
    msg["Date"] = formatdate(date.timestamp() if date else None, localtime=False,
                             usegmt=True)
    msg["Message-ID"] = message_id or make_msgid(domain=mail_domain(mail_from))
    if thread_root and thread_root != msg["Message-ID"]:
        msg["In-Reply-To"] = thread_root
        msg["References"] = thread_root
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render["body.txt"])
    msg.add_alternative(render["body.html"], subtype="html")
    return msg


def receipt_data(subject: str, *, suggestions=(), files=(), follow_up_of=None) -> dict:
    return {"vendor": "Nordwind Software", "number": 10001, "subject": subject,
            "product": "Nordwind Planner", "status": "Open",
            "lookup_url": "http://127.0.0.1:8000/portal/tickets/10001?token=xuXCmgT4R6upiTIo",
            "follow_up_of": follow_up_of, "files": list(files),
            "suggestions": list(suggestions)}


SUBJECTS = [
    "Export to Excel fails",
    "Run 0 #17",
    'Quotes "and" (comments), <angles>; commas: all = ? & % printable!',
    "An encoded word =?utf-8?q?caf=C3=A9?= typed by a customer",
    "A long subject that goes on and on about an export that fails every single morning "
    "at nine",
    "Averyveryveryverylongwordwithoutanyspacesthatcannotbefoldedanywhereatallbythefolder",
    "Überweisung schlägt fehl: Empfänger mit Umlaut",
    "エクスポートが失敗します 大きな ファイル で 失敗 します",
    "Tab\tand   spaces   collapse",
    "Ctrl\x07char",
]
ADDRESSES = ["ann@example.com", "o'brien+tag@mail.example.co.uk", "ann.de.vries@example.nl",
             "weird..dots@example.com", '"quoted local"@example.com', "user@[192.0.2.1]",
             "jürgen@example.de"]
SENDERS = ["Nordwind Support <support@nordwind.example>", "support@nordwind.example",
           "Nordwind Software, Inc. <support@nordwind.example>",
           "Jürgen Müller <support@nordwind.example>"]
MESSAGE_IDS = [("<ticket-10001@nordwind.example>", "<ticket-10001@nordwind.example>"),
               ("<175.4711.99@nordwind.example>", "<ticket-10001@nordwind.example>"),
               ("<a@[192.0.2.1]>", "<ticket-1@nordwind.example>"),
               ("<x" + "y" * 80 + "@nordwind.example>", "<ticket-10001@nordwind.example>")]
SUGGESTIONS = [{"title": "Exporting to Excel", "url": "http://portal.test/kb/planner/export/"},
               {"title": "Ein sehr langer Titel über den Export nach Excel mit Umlauten äöü",
                "url": "http://portal.test/kb/planner/" + "x" * 90 + "/"}]


def same_bytes(message: EmailMessage, policy=SMTP) -> bytes:
    """The written message with its random boundary replaced by a fixed one."""
    raw = message.as_bytes(policy=policy)
    boundary = message.get_boundary()
    return raw.replace(boundary.encode(), b"BOUNDARY")


def both(subject="Export to Excel fails", *, to="ann@example.com",
         mail_from=SENDERS[0], ids=MESSAGE_IDS[0], date=WHEN, **data):
    kwargs = dict(lang="en", mail_from=mail_from, to=to, data=receipt_data(subject, **data),
                  message_id=ids[0], thread_root=ids[1], date=date)
    return compose("receipt", **kwargs), compose_with_set_content("receipt", **kwargs)


@pytest.mark.parametrize("subject", SUBJECTS)
def test_every_subject_gives_the_same_message(subject):
    fast, reference = both(subject, suggestions=SUGGESTIONS)
    assert same_bytes(fast) == same_bytes(reference)
    assert same_bytes(fast, default) == same_bytes(reference, default)
    assert fast["Subject"] == reference["Subject"]


@pytest.mark.parametrize("to", ADDRESSES)
@pytest.mark.parametrize("mail_from", SENDERS)
def test_every_address_gives_the_same_message(to, mail_from):
    try:
        fast, reference = both(to=to, mail_from=mail_from)
    except ValueError as refused:  # an address the email package refuses: refused as before
        with pytest.raises(type(refused)):
            compose_with_set_content("receipt", lang="en", mail_from=mail_from, to=to,
                                     data=receipt_data("x"), date=WHEN)
        return
    assert same_bytes(fast) == same_bytes(reference)
    assert (fast["To"], fast["From"]) == (reference["To"], reference["From"])


@pytest.mark.parametrize("ids", MESSAGE_IDS)
def test_message_ids_and_threading_stay_as_they_were(ids):
    fast, reference = both(ids=ids)
    assert same_bytes(fast) == same_bytes(reference)
    assert fast["Message-ID"] == reference["Message-ID"]
    assert fast["In-Reply-To"] == reference["In-Reply-To"]


@pytest.mark.parametrize("date", [WHEN, datetime(2027, 1, 1, tzinfo=timezone.utc),
                                  datetime(1999, 12, 31, 23, 59, 59, 999_999,
                                           tzinfo=timezone.utc)])
def test_dates_read_as_they_did(date):
    fast, reference = both(date=date)
    assert same_bytes(fast) == same_bytes(reference)
    assert fast["Date"].datetime == reference["Date"].datetime


@pytest.mark.parametrize("data", [
    {},  # ASCII with a long line: quoted-printable
    {"suggestions": SUGGESTIONS, "files": [{"name": "größe.xlsx", "size": "1 MB"}]},
    {"follow_up_of": 10000},
], ids=["plain", "non-ascii-body", "follow-up"])
@pytest.mark.parametrize("subject", [SUBJECTS[0], SUBJECTS[6], SUBJECTS[7]])
def test_bodies_are_encoded_as_set_content_encodes_them(subject, data):
    fast, reference = both(subject, **data)
    assert same_bytes(fast) == same_bytes(reference)
    for part in ("plain", "html"):
        assert fast.get_body((part,)).get_content() == \
            reference.get_body((part,)).get_content()


BODIES = {
    "7bit": "Hello,\nshort ASCII lines.\n",
    "8bit": "Grüße,\nkurze Zeilen mit Umlauten.\n",
    "quoted-printable": "A line far longer than seventy-eight characters, " * 3 + "\n" * 12,
    "base64": "エクスポートが失敗します。" * 10 + "\n",
    "empty": "",
}


@pytest.mark.parametrize("encoding", BODIES)
def test_each_transfer_encoding_is_chosen_as_set_content_chooses_it(encoding):
    body = BODIES[encoding]
    fast, reference = EmailMessage(), EmailMessage()
    _alternatives(fast, body, f"<p>{body}</p>")
    reference.set_content(body)
    reference.add_alternative(f"<p>{body}</p>", subtype="html")
    assert same_bytes(fast) == same_bytes(reference)
    if encoding != "empty":
        assert fast.get_body(("plain",))["Content-Transfer-Encoding"] == encoding


def test_the_written_message_parses_into_the_same_structure():
    fast, _ = both(SUBJECTS[6], suggestions=SUGGESTIONS)
    parsed = message_from_bytes(fast.as_bytes(policy=SMTP), policy=default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == \
        ["text/plain", "text/html"]
    assert parsed["Message-ID"] == "<ticket-10001@nordwind.example>"
    assert "Exporting to Excel" in parsed.get_body(("plain",)).get_content()
    # The boundary looks as the generator's own (drawn when a message has none).
    reference = compose_with_set_content("receipt", lang="en", mail_from=SENDERS[0],
                                         to="ann@example.com", data=receipt_data("x"))
    reference.as_bytes()
    shape = r"={15}[0-9]{19}=="
    assert re.fullmatch(shape, reference.get_boundary())
    assert re.fullmatch(shape, fast.get_boundary())
    # Written twice (a retry), the message keeps its boundary.
    assert re.findall(rb"boundary=\"([^\"]+)\"", fast.as_bytes()) == \
        re.findall(rb"boundary=\"([^\"]+)\"", fast.as_bytes())
