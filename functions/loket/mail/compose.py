"""Composing a MIME message (text and HTML parts) from a template folder.

Each e-mail is a folder under templates/<kind>/<language>/ with subject.txt, body.txt
and body.html; a small function in notices.py gives it its data.
"""

from __future__ import annotations

import random
import re
import sys
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formatdate, make_msgid, parseaddr, parsedate_to_datetime
from functools import lru_cache
from typing import Any

from loket.domain.frozen import make
from loket.domain.outgoing import OutgoingMail, new_message_id
from loket.mail.prefolded import Prefolded

TEMPLATE_FILES = ("subject.txt", "body.txt", "body.html")


@lru_cache(maxsize=1)
def _environment():
    # Built on first use, not at import: handlers that send no mail never pay for it.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    # auto_reload off: the templates are the package's own, the same for the life of the
    # process; on, every get_template (three a mail) checked the file's modification time.
    return Environment(loader=PackageLoader("loket.mail", "templates"),
                       autoescape=select_autoescape(["html"], default_for_string=False),
                       undefined=StrictUndefined, keep_trailing_newline=True,
                       auto_reload=False)


@lru_cache(maxsize=16)  # One sender a portal: parsing it cost 0.05-0.1 ms per receipt.
def mail_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def letter(kind: str, *, lang: str, mail_from: str, to: str, data: dict[str, Any],
           created_at: datetime, message_id: str | None = None,
           thread_root: str | None = None, ticket: int | None = None) -> OutgoingMail:
    """An e-mail to queue: what compose() needs, rendered later by the dispatcher.
    Its Message-ID is fixed now, so every delivery of it carries the same one."""
    # make(OutgoingMail, ...) is OutgoingMail(...) at a fraction of the cost: a
    # submission queues its receipt through here (domain/frozen.py).
    return make(OutgoingMail, dict(kind=kind, lang=lang, to=to, data=data,
                                   created_at=created_at,
                                   message_id=message_id or new_message_id(mail_from),
                                   thread_root=thread_root, ticket=ticket))


def set_subject(msg: EmailMessage, subject: str) -> None:
    """Set the Subject so that it reads back as written. Python's folding (3.11) puts
    each non-ASCII word in an encoded word of its own and drops the spaces between
    them ("café crème" came out as "cafécrème"); Header encodes the whole subject
    with its spaces inside the encoded words, folded to 78 characters, and set_raw
    keeps that as it is."""
    if subject.isascii():
        set_header(msg, "Subject", subject, _TEXT)
    else:
        msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject")
                    .encode(linesep="\n", maxlinelen=78))


def compose(kind: str, *, lang: str, mail_from: str, to: str, data: dict[str, Any],
            message_id: str | None = None, thread_root: str | None = None,
            date: datetime | None = None) -> EmailMessage:
    """Render templates/<kind>/<lang>/ into a multipart/alternative message: the one
    EmailMessage.set_content and add_alternative build, header for header and byte
    for byte (tests/mail/test_compose_mime.py), at a fraction of the cost (below)."""
    env = _environment()
    render = {name: env.get_template(f"{kind}/{lang}/{name}").render(**data)
              for name in TEMPLATE_FILES}
    msg = EmailMessage()
    set_subject(msg, " ".join(render["subject.txt"].split()))
    set_header(msg, "From", mail_from, _MAILBOX)
    set_header(msg, "To", to if _ADDRESS.fullmatch(to) else _address_header(to), _ADDRESS)
    # What the Date header reads back as (DateHeader): "+0000", where formatdate says GMT.
    msg.set_raw("Date", format_datetime(parsedate_to_datetime(
        formatdate(date.timestamp() if date else None, localtime=False, usegmt=True))))
    message_id = set_header(msg, "Message-ID",
                            message_id or make_msgid(domain=mail_domain(mail_from)), _MSG_ID)
    if thread_root and thread_root != message_id:
        # Replies and updates thread under the ticket's first e-mail in every client.
        set_header(msg, "In-Reply-To", thread_root, _TEXT)
        set_header(msg, "References", thread_root, _TEXT)
    msg.set_raw("Auto-Submitted", "auto-generated")
    _alternatives(msg, render["body.txt"], render["body.html"])
    return msg


# Building a message through the email package's header objects (msg[name] = value,
# set_content) parses every header it sets, more than once, and writing it parses the
# content headers again: 4 of the dispatcher's 6-7 CPU ms a receipt. A value the header
# registry would keep exactly as it is (these patterns, on one line of 78 characters)
# is set raw instead, as the registry would write it; any other goes through the
# registry as before. Tests compare the result with set_content's, byte for byte.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
_ADDRESS = re.compile(rf"{_DOT_ATOM}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_MAILBOX = re.compile(rf"(?:{_ATEXT}(?: {_ATEXT})* <{_ADDRESS.pattern}>|{_ADDRESS.pattern})")
_MSG_ID = re.compile(rf"<{_DOT_ATOM}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>")
_TEXT = re.compile(r"[!-~]+(?: [!-~]+)*")  # printable ASCII words, one space apart
_LINE = 78


def _address_header(address: str) -> str:
    # Imported here, not with the module: email.headerregistry (and its header parser)
    # is only for the rare address that is not plain, and the http function's cold
    # start imports this module with every submission's letter() (bench/cold_start.py).
    from email.headerregistry import Address

    return str(Address(addr_spec=address))


def set_header(msg: EmailMessage, name: str, value: str, plain: re.Pattern) -> str:
    """Add a header; return its value as the message reads it back."""
    if (len(name) + 2 + len(value) <= _LINE and "=?" not in value
            and plain.fullmatch(value)):
        msg.set_raw(name, value)
        return value
    msg[name] = value
    return msg[name]


def _alternatives(msg: EmailMessage, text: str, html: str) -> None:
    """The text and HTML bodies as set_content(text) and add_alternative(html, "html")
    leave them: content headers moved to the first part, MIME-Version on the message
    and (as add_alternative's set_content adds it) on the HTML part; each body encoded
    as set_content encodes it (_encode_text: 7bit, 8bit, quoted-printable or base64)."""
    parts = [_text_part(text, "plain"), _text_part(html, "html")]
    parts[1].set_raw("MIME-Version", "1.0")
    boundary = _boundary("\n".join(part.get_payload() for part in parts))
    msg.set_raw("MIME-Version", "1.0")
    # Folded once for all boundaries of this shape (their digits as zeros): prefolded.py.
    msg.set_raw("Content-Type", Prefolded("Content-Type",
                                          f'multipart/alternative; boundary="{boundary}"',
                                          stand_in=_DIGIT.sub("0", boundary), actual=boundary))
    for part in parts:
        msg.attach(part)


def _boundary(text: str) -> str:
    """A boundary as the generator draws one when it writes a message that has none
    (Generator._make_boundary: random digits between equals signs), drawn now, and
    again in the unlikely case that the bodies hold it (a cheaper test than the
    generator's, which compiles a pattern for every boundary)."""
    while True:
        boundary = f"{'=' * 15}{random.randrange(sys.maxsize):0{len(repr(sys.maxsize - 1))}d}=="
        if "--" + boundary not in text:
            return boundary


# The values every message's parts share, made once (Prefolded values are immutable).
_shared_header = lru_cache(maxsize=16)(Prefolded)
_DIGIT = re.compile(r"[0-9]")


def _text_part(body: str, subtype: str) -> EmailMessage:
    # Imported here: a request that queues mail composes none (cold starts, #10). The
    # function set_content uses, so each body is encoded exactly as set_content would.
    from email import policy
    from email.contentmanager import _encode_text

    encoding, payload = _encode_text(body, "utf-8", None, policy.default)
    part = EmailMessage()
    for name, value in (("Content-Type", f'text/{subtype}; charset="utf-8"'),
                        ("Content-Transfer-Encoding", encoding)):
        part.set_raw(name, _shared_header(name, value))
    part.set_payload(payload)
    return part
