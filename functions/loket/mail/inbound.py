"""Reading an incoming e-mail: who sent it, what it refers to, what it says, and
whether we must refuse it.

Mail from the internet is often malformed, so nothing here trusts the message: every
header is read with a fallback to its raw text, every part is decoded with a fallback
charset, and a message that still cannot be read is refused with a reason rather than
raising. Refusals (auto-replies, bounces, our own mail) are what keep a support
address out of mail loops and bounce storms: answering an out-of-office with a
receipt invites another out-of-office, forever.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import dataclass, field, replace
from email import policy
from email.errors import MissingHeaderBodySeparatorDefect
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from typing import Iterable

from loket.mail.html_text import html_to_text
from loket.mail.parsing import PARSING_POLICY
from loket.mail.quotes import strip_quotes
from loket.mail.verdicts import Verdicts, verdicts_in_headers

log = logging.getLogger(__name__)

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# A header field's name is printable ASCII but the colon (RFC 5322 section 2.2).
_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")
_OBSOLETE_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]+:")
_BARE_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_RAW_FILENAME = re.compile(r"\b(?:file)?name\s*=\s*(?:\"([^\"]*)\"|([^;\"\s][^;\r\n]*))",
                           re.IGNORECASE)
_SURROGATES = re.compile(r"[\udc80-\udcff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Labels that mail clients use for a superset of the charset they name (the WHATWG
# encoding standard decodes them the same way), so the extra characters survive.
_CHARSET_ALIASES = {"ks_c_5601-1987": "cp949", "euc-kr": "cp949", "gb2312": "gb18030",
                    "gbk": "gb18030", "shift_jis": "cp932", "iso-8859-1": "cp1252"}
# Writes a parsed message back with its header lines as they came (no refolding).
_AS_SENT = policy.default.clone(refold_source="none")
_SIGNATURE_TYPES = {"application/pgp-signature", "application/pkcs7-signature",
                    "application/x-pkcs7-signature"}
_REPORT_TYPES = {"multipart/report", "message/delivery-status",
                 "message/disposition-notification", "message/feedback-report"}
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_DAEMONS = {"mailer-daemon", "postmaster"}
_NO_REPLY = re.compile(r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply)(?:$|[-_.+])")
# Subject prefixes of auto-replies and bounces that carry none of the headers for it
# (Apple's vacation notice, some Exchange and qmail bounces). A customer forwarding
# one ("Fwd: Undeliverable: ...") does not match, and rightly makes a ticket.
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto[- ]?reply|auto[- ]?response|out of (?:the )?office"
    r"(?: autoreply)?|automatisch antwoord|afwezigheidsbericht|abwesenheitsnotiz"
    r"|réponse automatique)\s*:", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undelivered mail returned to sender|undeliverable\s*:|onbestelbaar\s*:"
    r"|unzustellbar\s*:|delivery status notification|returned mail\s*:"
    r"|mail delivery failed|failure notice\s*$|delivery failure)", re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int
    # The decoded bytes, for storing the file with the ticket (services/attachments.py).
    content: bytes = field(default=b"", repr=False, compare=False)

    def describe(self) -> str:
        return f"[attachment: {self.name} ({self.content_type}, {_size(self.size)})]"


@dataclass(frozen=True)
class InboundMail:
    """What we use of an e-mail. `refused` names why it must make nothing, or is None."""

    sender: str = ""
    subject: str = ""
    message_id: str = ""
    # Message-IDs this mail answers: In-Reply-To first, then References.
    references: tuple[str, ...] = ()
    # Addresses it was sent to: envelope headers first, then To and Cc.
    recipients: tuple[str, ...] = ()
    content_language: str = ""
    # The whole text, and the text without quoted history; both list the attachments.
    text: str = ""
    reply_text: str = ""
    attachments: tuple[Attachment, ...] = ()
    refused: str | None = None
    # What the receiving servers say of it (SES's scans, DMARC), and whether it came
    # through a mailing list (List-* headers): never answer such mail automatically.
    verdicts: Verdicts = Verdicts()
    mailing_list: bool = False


def read_mail(raw: bytes, *, own_addresses: Iterable[str] = (),
              screen: bool = True) -> InboundMail:
    """Parse raw RFC 822 bytes. Never raises: an unreadable message comes back refused.
    `screen=False` skips the refusals of automatic mail (an agent takes it in anyway)."""
    try:
        msg = _parse(raw)
        mail = _read_headers(msg)
        reason = refusal(msg, mail, own_addresses) if screen else None
    except Exception:  # A last resort: the parser itself failed on this message.
        log.exception("an incoming e-mail could not be parsed")
        return InboundMail(refused="unreadable: the message could not be parsed")
    if reason:
        return replace(mail, refused=reason)
    try:
        return _with_body(msg, mail)
    except Exception:
        log.exception("the body of e-mail %s could not be read", mail.message_id)
        return replace(mail, refused="unreadable: the message body could not be decoded")


def _parse(raw: bytes) -> Message:
    """The message; when a broken header line ended its header early (pushing the
    headers after it, a valid From: among them, into the body), parsed again from
    its raw header lines mended as a mail client reads them."""
    msg = email.message_from_bytes(raw, policy=PARSING_POLICY)
    if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in msg.defects) or (
            msg.get_unixfrom() and _OBSOLETE_FIELD.match(raw)):
        return email.message_from_bytes(mend_header(raw), policy=PARSING_POLICY)
    return msg


def mend_header(raw: bytes) -> bytes:
    """`raw` with its header lines (up to the first empty line) made readable: a
    line that is neither a field nor a folded continuation (a long value wrapped
    without indenting, say) continues the field before it, and a field name with
    space before its colon (RFC 5322's obsolete syntax: `From  : ...`) loses it.
    A broken line with no field after it is where the body starts (a mail without
    the empty line): from there on nothing changes."""
    lines = raw.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines) if not line.strip(b"\r\n")), len(lines))
    last_field = max((i for i in range(end) if _FIELD.match(lines[i])
                      or _OBSOLETE_FIELD.match(lines[i])), default=-1)
    mended = []
    for number, line in enumerate(lines[:end]):
        obsolete = _OBSOLETE_FIELD.match(line)
        if obsolete:
            line = obsolete.group(1) + b":" + line[obsolete.end():]
        elif not (_FIELD.match(line) or line[:1] in (b" ", b"\t")
                  or (number == 0 and line.startswith(b"From "))):
            if number > last_field or line.startswith(b"--"):  # the body, or a MIME part
                return b"".join(mended + lines[number:])
            line = b" " + line
        mended.append(line)
    return b"".join(mended + lines[end:])


def base_address(address: str) -> str:
    """`address` without its +tag, lowercased: support+planner@x -> support@x."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def plus_tag(address: str) -> str:
    local = address.strip().lower().rpartition("@")[0]
    return local.split("+", 1)[1] if "+" in local else ""


# -- headers ---------------------------------------------------------------------------

def _read_headers(msg: Message) -> InboundMail:
    ids = [i for name in ("In-Reply-To", "References") for value in _all(msg, name)
           for i in _MESSAGE_ID.findall(value)]
    recipients = [addr for name in ("Delivered-To", "X-Original-To", "Envelope-To",
                                    "X-Forwarded-To", "To", "Cc")
                  for addr in _addresses(_all(msg, name))]
    message_id = _MESSAGE_ID.findall(_header(msg, "Message-ID"))
    return InboundMail(
        sender=_sender(msg), subject=" ".join(_header(msg, "Subject").split()),
        message_id=message_id[0] if message_id else "",
        references=tuple(dict.fromkeys(ids)), recipients=tuple(dict.fromkeys(recipients)),
        content_language=_header(msg, "Content-Language").strip().lower(),
        verdicts=verdicts_in_headers(msg),
        mailing_list=any(k.lower().startswith("list-") for k in msg.keys()))


def _sender(msg: Message) -> str:
    values = _all(msg, "From")
    found = _addresses(values)
    if not found:
        # Broken syntax such as `From: Big Bug bb@bug.com` still names one address.
        raw = " ".join(v for k, v in msg.raw_items() if k.lower() == "from")
        found = _addresses(_BARE_ADDRESS.findall(raw))
    return found[0] if found else ""


def _addresses(values: list[str]) -> list[str]:
    usable = []
    for _, addr in getaddresses(values):
        local, at, domain = addr.rpartition("@")
        if at and local and "." in domain and not re.search(r"[\s<>@,;]", local + domain):
            usable.append(addr)
    return usable


def _header(msg: Message, name: str) -> str:
    values = _all(msg, name)
    return values[0] if values else ""


def _all(msg: Message, name: str) -> list[str]:
    """Every value of header `name` as clean text, falling back to the raw value
    when the structured parser fails on it."""
    raw = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    try:
        values = [str(v) for v in msg.get_all(name) or []]
    except Exception:
        values = [_decode_raw(v) for v in raw]
    # The parser shows raw 8-bit bytes as U+FFFD; their charset can often be recovered.
    values = [_decode_raw(_repair(r)) if "\ufffd" in v and _SURROGATES.search(r) else v
              for v, r in zip(values, raw)]
    return [_CONTROL.sub("", _repair(v)) for v in values]


def _decode_raw(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return value


def _repair(text: str) -> str:
    """Undo the parser's surrogate escapes: raw 8-bit header bytes are UTF-8 (RFC 6532)
    or, in older mail, mostly Windows-1252."""
    if not _SURROGATES.search(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


# -- refusals --------------------------------------------------------------------------

def refusal(msg: Message, mail: InboundMail, own_addresses: Iterable[str]) -> str | None:
    """Why this mail must make no ticket, no reply and no answer; None when it may."""
    if not mail.sender:
        return f"no usable sender (From: {_header(msg, 'From')[:80] or 'missing'})"
    if base_address(mail.sender) in {base_address(a) for a in own_addresses if a}:
        return f"sent from our own address ({mail.sender})"
    return _auto_reply(msg, mail) or _bounce(msg, mail)


def _auto_reply(msg: Message, mail: InboundMail) -> str | None:
    submitted = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        return f"automatic message (Auto-Submitted: {submitted})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        values = _all(msg, name)
        if values and values[0].strip().lower() not in ("no", "false"):
            return f"auto-reply ({name})"
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"auto-reply or bulk mail (Precedence: {precedence})"
    suppress = _header(msg, "X-Auto-Response-Suppress").strip()
    if suppress:
        return f"auto-reply (X-Auto-Response-Suppress: {suppress[:40]})"
    if _header(msg, "X-Apple-Action").strip().upper() == "VACATION":
        return "auto-reply (X-Apple-Action: VACATION)"
    if _NO_REPLY.match(mail.sender.rpartition("@")[0].lower()):
        return f"automated sender ({mail.sender}): no one would read our answer"
    if _AUTO_SUBJECT.match(mail.subject):
        return f"auto-reply (subject: {mail.subject[:60]})"
    return None


def _bounce(msg: Message, mail: InboundMail) -> str | None:
    report = next((t for t in _content_types(msg) if t in _REPORT_TYPES), None)
    if report:
        return f"bounce or report ({report})"
    if mail.sender.rpartition("@")[0].lower() in _DAEMONS:
        return f"bounce (sent by {mail.sender})"
    return_path = _all(msg, "Return-Path")
    if return_path and return_path[0].strip("<> ") == "":
        return "bounce (empty Return-Path <>)"
    if _BOUNCE_SUBJECT.match(mail.subject):
        return f"bounce (subject: {mail.subject[:60]})"
    return None


def _content_types(msg: Message) -> Iterable[str]:
    """The content types of the message and its parts, not looking inside attached
    messages: a customer forwarding a bounce as an attachment is not a bounce."""
    stack = [msg]
    while stack:
        part = stack.pop()
        ctype = part.get_content_type()
        yield ctype
        if part.is_multipart() and not ctype.startswith("message/"):
            stack.extend(p for p in part.get_payload() if isinstance(p, Message))


# -- body ------------------------------------------------------------------------------

def _with_body(msg: Message, mail: InboundMail) -> InboundMail:
    texts: list[str] = []
    attachments: list[Attachment] = []
    _collect(msg, texts, attachments)
    text = "\n\n".join(t for t in (t.strip() for t in texts) if t)
    listing = "\n".join(a.describe() for a in attachments)
    reply = strip_quotes(text) if text else ""
    return replace(mail, text=_join(text, listing), reply_text=_join(reply, listing),
                   attachments=tuple(attachments))


def _join(text: str, listing: str) -> str:
    return "\n\n".join(part for part in (text, listing) if part)


def _collect(part: Message, texts: list[str], attachments: list[Attachment]) -> None:
    """Gather the readable text of `part` into `texts`, and every file into `attachments`."""
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        attachments.append(_forwarded(part))
    elif ctype.startswith("message/"):
        attachments.append(_attachment(part, default_name=_attached_name(part)))
    elif part.is_multipart():
        if ctype == "multipart/alternative":
            best = _best_alternative(part)
            if best is not None:
                _collect(best, texts, attachments)
            return
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, texts, attachments)
    elif ctype in _SIGNATURE_TYPES:
        return  # A signature of the mail, not a file the customer sent.
    elif _is_file(part) or not (ctype.startswith("text/plain") or ctype == "text/html"
                                or ctype.startswith("multipart/")):
        attachments.append(_attachment(part))
    else:
        text = decode_text(part)
        texts.append(html_to_text(text) if ctype == "text/html" else text)


def _best_alternative(part: Message) -> Message | None:
    """The plain-text alternative if there is one, else a nested multipart, else HTML."""
    options = [p for p in part.get_payload() if isinstance(p, Message)]
    for wanted in ("text/plain", "multipart/", "text/html"):
        for option in options:
            if option.get_content_type().startswith(wanted) and not _is_file(option):
                return option
    return options[0] if options else None


def _is_file(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment" or bool(part.get_filename())
    except Exception:
        return True


def _attachment(part: Message, default_name: str = "(unnamed)") -> Attachment:
    name = " ".join(_CONTROL.sub("", _repair(_filename(part))).split())[:200]
    content = _payload_bytes(part)
    return Attachment(name=name or default_name, content_type=part.get_content_type(),
                      size=len(content), content=content)


def _filename(part: Message) -> str:
    """The part's file name. Clients write names the parser cuts short (unquoted with
    spaces, or an encoded word without quotes), so the raw header is asked as well."""
    try:
        parsed = _decode_raw(part.get_filename() or "")
    except Exception:
        parsed = ""
    for header in ("content-disposition", "content-type"):
        for key, value in part.raw_items():
            match = _RAW_FILENAME.search(value) if key.lower() == header else None
            if match:
                found = _decode_raw((match.group(1) or match.group(2) or "").strip())
                if len(found) > len(parsed) and found.startswith(parsed):
                    return found
    return parsed


def _forwarded(part: Message) -> Attachment:
    """A forwarded e-mail as a file an agent's mail client opens: the message itself
    (its own headers and body, as sent), not the part around it."""
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else None
    if not isinstance(inner, Message):
        return _attachment(part, default_name=_attached_name(part))
    try:
        content = inner.as_bytes(policy=_AS_SENT)
    except Exception:  # A message the generator cannot write: keep the part whole.
        return _attachment(part, default_name=_attached_name(part))
    name = " ".join(_CONTROL.sub("", _repair(_filename(part))).split())[:200]
    return Attachment(name=name or _attached_name(part), content_type="message/rfc822",
                      size=len(content), content=content)


def _attached_name(part: Message) -> str:
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else None
    subject = _header(inner, "Subject") if isinstance(inner, Message) else ""
    return f"{' '.join(subject.split())[:100]}.eml" if subject else "message.eml"


def _payload_bytes(part: Message) -> bytes:
    if part.is_multipart():
        try:
            return part.as_bytes()
        except Exception:
            return b""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return payload


def decode_text(part: Message) -> str:
    """The text of a leaf part, in its declared charset when that works, else UTF-8,
    else Windows-1252; never raises. (Mail declared US-ASCII that holds 8-bit bytes
    is UTF-8 far more often than anything else.)"""
    payload = _payload_bytes(part)
    try:
        declared = (part.get_content_charset() or "us-ascii").strip().lower()
    except Exception:
        declared = "us-ascii"
    for charset in (_CHARSET_ALIASES.get(declared, declared), "utf-8", "cp1252"):
        try:
            text = payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return payload.decode("utf-8", "replace").replace("\x00", "")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size / (1024 * 1024):.1f} MB"
