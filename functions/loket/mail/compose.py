"""Composing a MIME message (text and HTML parts) from a template folder.

Each e-mail is a folder under templates/<kind>/<language>/ with subject.txt, body.txt
and body.html; a small function in notices.py gives it its data.
"""

from __future__ import annotations

from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from datetime import datetime
from email.utils import formatdate, make_msgid, parseaddr
from functools import lru_cache
from typing import Any

from loket.domain.outgoing import OutgoingMail, new_message_id

TEMPLATE_FILES = ("subject.txt", "body.txt", "body.html")


@lru_cache(maxsize=1)
def _environment():
    # Built on first use, not at import: handlers that send no mail never pay for it.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("loket.mail", "templates"),
                       autoescape=select_autoescape(["html"], default_for_string=False),
                       undefined=StrictUndefined, keep_trailing_newline=True)


@lru_cache(maxsize=16)  # One sender a portal: parsing it cost 0.05-0.1 ms per receipt.
def mail_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def letter(kind: str, *, lang: str, mail_from: str, to: str, data: dict[str, Any],
           created_at: datetime, message_id: str | None = None,
           thread_root: str | None = None, ticket: int | None = None) -> OutgoingMail:
    """An e-mail to queue: what compose() needs, rendered later by the dispatcher.
    Its Message-ID is fixed now, so every delivery of it carries the same one."""
    return OutgoingMail(kind=kind, lang=lang, to=to, data=data, created_at=created_at,
                        message_id=message_id or new_message_id(mail_from),
                        thread_root=thread_root, ticket=ticket)


def set_subject(msg: EmailMessage, subject: str) -> None:
    """Set the Subject so that it reads back as written. Python's folding (3.11) puts
    each non-ASCII word in an encoded word of its own and drops the spaces between
    them ("café crème" came out as "cafécrème"); Header encodes the whole subject
    with its spaces inside the encoded words, folded to 78 characters, and set_raw
    keeps that as it is."""
    if subject.isascii():
        msg["Subject"] = subject
    else:
        msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject")
                    .encode(linesep="\n", maxlinelen=78))


def compose(kind: str, *, lang: str, mail_from: str, to: str, data: dict[str, Any],
            message_id: str | None = None, thread_root: str | None = None,
            date: datetime | None = None) -> EmailMessage:
    """Render templates/<kind>/<lang>/ into a multipart/alternative message."""
    env = _environment()
    render = {name: env.get_template(f"{kind}/{lang}/{name}").render(**data)
              for name in TEMPLATE_FILES}
    msg = EmailMessage()
    set_subject(msg, " ".join(render["subject.txt"].split()))
    msg["From"] = mail_from
    msg["To"] = str(Address(addr_spec=to))
    msg["Date"] = formatdate(date.timestamp() if date else None, localtime=False,
                             usegmt=True)
    msg["Message-ID"] = message_id or make_msgid(domain=mail_domain(mail_from))
    if thread_root and thread_root != msg["Message-ID"]:
        # Replies and updates thread under the ticket's first e-mail in every client.
        msg["In-Reply-To"] = thread_root
        msg["References"] = thread_root
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render["body.txt"])
    msg.add_alternative(render["body.html"], subtype="html")
    return msg
