"""Taking in an e-mail: a reply on the customer's own ticket, a new ticket, or a refusal.

Every source of mail (the CLI, SES through S3, an SMTP server) hands raw bytes to
take_in_mail. A new ticket goes through submit_ticket, so mail gets the same
validation, rate limit, storage and receipt as the web form. Mail from an account's
address submits as that account, as a signed-in web submission does: tied to its
organization, counted against its plan, refused when it is no support contact of a
contacts-only plan. With accounts.required_to_submit, mail from an address without an
account is refused.

Nothing is refused silently: refused mail is kept with its reason for agents, who may
take it in anyway (services/refused_mail.py), and a person is told why, at most once
a day. A failing SES spam or virus verdict is refused without a word (the sender is
likely forged: no backscatter); a reply whose sender fails DMARC is held for an agent
rather than added to the ticket as that customer.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from typing import Literal

from loket.config.model import MailInConfig
from loket.domain.accounts import email_key
from loket.domain.text import has_visible_character, single_line
from loket.domain.errors import (IdempotencyConflict, MessageAlreadyStored, RateLimited,
                                 Refused, SignInRequired, ValidationFailed)
from loket.domain.refused import RefusalKind
from loket.domain.tickets import Ticket
from loket.mail.compose import mail_domain
from loket.mail.inbound import InboundMail, base_address, plus_tag, read_mail
from loket.mail.verdicts import Verdicts
from loket.services.attachments import InlineFile, screen_files
from loket.services.context import Services
from loket.services.information import FOLLOW_UP, REOPENED, add_information
from loket.services.replies import FINISHED, MAX_REPLY_LENGTH
from loket.services.sessions import Viewer
from loket.services.submission import submit_ticket

log = logging.getLogger(__name__)

_THREAD_ROOT = re.compile(r"^<ticket-(\d{1,12})@([^<>\s]+)>$", re.IGNORECASE)
_SUBJECT_TAG = re.compile(r"\[#(\d{1,12})\]")
_PREFIXES = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|antw|doorst|tr)\s*:\s*|\[#\d+\]\s*)+",
                       re.IGNORECASE)
_FORWARD = re.compile(r"^\s*(?:fwd?|wg|doorst|tr)\s*:", re.IGNORECASE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_NO_TEXT = "(The e-mail had no text.)"


@dataclass(frozen=True)
class MailDecision:
    action: Literal["new-ticket", "reply", "refused"]
    ticket: int | None = None
    reason: str = ""
    # Why it was refused, as a kind (domain/refused.py); the id it is kept under.
    kind: RefusalKind | None = field(default=None, compare=False)
    refused_id: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        if self.action == "refused":
            return f"refused: {self.reason}"
        return f"{self.action} #{self.ticket}" + (f" ({self.reason})" if self.reason else "")


def take_in_mail(services: Services, raw: bytes, *,
                 verdicts: Verdicts | None = None) -> MailDecision:
    """Decide what `raw` becomes, and do it. Taking in the same mail again changes
    nothing: its key (Message-ID and content) keys the new ticket, the reply's message
    and the refused mail. `verdicts` are the receiving system's, when it passes them
    beside the mail (an SES receipt); they count over the mail's own headers."""
    from loket.services.refused_mail import keep_refused

    settings = mail_in_settings(services)
    mail = read_mail(raw, own_addresses=(settings.address, parseaddr(services.mail_from)[1]))
    if verdicts is not None:
        mail = replace(mail, verdicts=verdicts.over(mail.verdicts))
    key = idempotency_key(mail, raw)
    decision = _screened(mail) or take_in_read_mail(services, settings, mail, key)
    if decision.action == "refused":
        decision = keep_refused(services, mail, raw, key, decision)
    log.info("mail %s: %s", mail.message_id or "(no Message-ID)", decision)
    return decision


def _screened(mail: InboundMail) -> MailDecision | None:
    """The refusal of mail that must make nothing at all, or None."""
    if mail.refused:
        kind = (RefusalKind.UNREADABLE if mail.refused.startswith("unreadable")
                else RefusalKind.AUTOMATIC)
        return MailDecision("refused", reason=mail.refused, kind=kind)
    if mail.verdicts.virus_failed:
        return MailDecision("refused", reason="the virus scan failed (SES virus verdict "
                                              "FAIL)", kind=RefusalKind.VIRUS)
    if mail.verdicts.spam_failed:
        return MailDecision("refused", reason="spam (SES spam verdict FAIL)",
                            kind=RefusalKind.SPAM)
    return None


def mail_in_settings(services: Services) -> MailInConfig:
    """The portal's mail_in section; without one, our sender address and first product."""
    config = services.config
    return config.mail_in or MailInConfig(address=parseaddr(services.mail_from)[1],
                                          default_product=next(iter(config.products)))


def referenced_ticket(services: Services, mail: InboundMail) -> int | None:
    """The ticket this mail answers: a thread root of ours among its references (every
    mail we send carries it), else a [#N] tag in its subject."""
    domain = mail_domain(services.mail_from).lower()
    for reference in mail.references:
        match = _THREAD_ROOT.match(reference)
        if match and match.group(2).lower() == domain:
            return int(match.group(1))
    match = _SUBJECT_TAG.search(mail.subject)
    return int(match.group(1)) if match else None


def take_in_read_mail(services: Services, settings: MailInConfig, mail: InboundMail,
                      key: str, *, by_agent: bool = False) -> MailDecision:
    """Make `mail` a reply or a new ticket, or say why not. `by_agent`: an agent takes
    in mail that was refused; limits and the DMARC hold give way to their decision."""
    from loket.services.agent_mail_in import agent_answer

    # An agent's answer to one of our notices to them (#12): their reply on the ticket.
    answered = agent_answer(services, mail, key, by_agent=by_agent)
    if answered is not None:
        return answered
    number = referenced_ticket(services, mail)
    if number is None:
        return _new_ticket(services, settings, mail, key, note="", by_agent=by_agent)
    ticket = services.store.get_ticket(number)
    if ticket is not None and ticket.email.casefold() == mail.sender.casefold():
        if mail.verdicts.dmarc_failed and not by_agent:
            return MailDecision("refused", number, f"the sender {mail.sender} fails DMARC, "
                                "so the reply may be forged: held for an agent",
                                kind=RefusalKind.DMARC)
        return _reply(services, ticket, mail, key)
    # Never attach a stranger's mail to someone's ticket: a subject tag or a Message-ID
    # is easy to copy, so mail from another address (a colleague, a forward, a guess)
    # starts a ticket of its own, and the sender learns nothing about ticket #number.
    why = "no such ticket" if ticket is None else "sent from another address"
    return _new_ticket(services, settings, mail, key, note=f"refers to #{number}: {why}",
                       by_agent=by_agent)


def _reply(services: Services, ticket: Ticket, mail: InboundMail, key: str) -> MailDecision:
    files, notes = _files(services, mail, ticket=ticket.number)
    body = _fit(_noted(mail.reply_text, notes), MAX_REPLY_LENGTH)
    if not body:
        return MailDecision("refused", ticket.number, "the reply holds no text",
                            kind=RefusalKind.EMPTY)
    # A reply to a finished ticket may start a follow-up, submitted as the sender's
    # account like any new ticket; only then is the account looked up.
    finished = services.config.status(ticket.status).category in FINISHED
    try:
        added = add_information(services, ticket, body, author=mail.sender, files=files,
                                idempotency_key=key,
                                viewer=_sender_account(services, mail.sender) if finished
                                else None,
                                client_address=f"mail:{mail.sender.lower()}")
    except MessageAlreadyStored:
        return MailDecision("reply", ticket.number, "already taken in: a re-delivered mail")
    except (Refused, RateLimited) as exc:  # The follow-up, a new ticket, was refused.
        return MailDecision("refused", ticket.number,
                            f"#{ticket.number} is closed and its follow-up was refused: {exc}",
                            kind=RefusalKind.RATE_LIMITED if isinstance(exc, RateLimited)
                            else RefusalKind.NOT_ALLOWED)
    if added.outcome == FOLLOW_UP:
        return MailDecision("new-ticket", added.ticket.number,
                            f"follow-up to #{ticket.number}, closed too long ago")
    return MailDecision("reply", ticket.number,
                        "reopened the ticket" if added.outcome == REOPENED else "")


def _files(services: Services, mail: InboundMail, *,
           ticket: int | None = None) -> tuple[list[InlineFile], list[str]]:
    """The mail's files to store with its message, and notes on those not kept (a
    refused file never costs the customer their mail). The text lists them all."""
    if services.blobs is None or (ticket is None and services.config.form.attachments is None):
        return [], []
    files = [InlineFile(a.name, io.BytesIO(a.content), a.content_type)
             for a in mail.attachments]
    return screen_files(services, files, ticket=ticket)


def _noted(text: str, notes: list[str]) -> str:
    return "\n".join([text.strip(), *(f"[Not kept: {note}]" for note in notes)]).strip()


def _new_ticket(services: Services, settings: MailInConfig, mail: InboundMail, key: str,
                note: str, by_agent: bool = False) -> MailDecision:
    form = services.config.form
    forwarded = bool(_FORWARD.match(mail.subject))
    # A forward's quoted part is the substance; a reply's quoted part is history.
    text = mail.text if forwarded else mail.reply_text
    sender = _sender_account(services, mail.sender)
    if sender is None and services.config.accounts.required_to_submit and not by_agent:
        return MailDecision("refused", reason=(
            f"{mail.sender} has no account, and only accounts may submit tickets "
            "(accounts.required_to_submit)"), kind=RefusalKind.NO_ACCOUNT)
    files, notes = _files(services, mail)
    data = {"email": mail.sender, "product": _product(services, settings, mail, sender),
            "type": "question",
            "subject": _subject(mail.subject, form.field("subject").max_length or 200),
            "description": _fit(_noted(text, notes),
                                form.field("description").max_length or 10_000)
            or _NO_TEXT,
            "language": guess_language(mail, settings.address)}
    try:
        receipt = submit_ticket(services, data, client_address=f"mail:{mail.sender.lower()}",
                                idempotency_key=key, files=files, viewer=sender,
                                limits=not by_agent)
    except Refused as exc:  # not a support contact, or the plan is used up
        return MailDecision("refused", reason=f"{exc} ({exc.kind}, {mail.sender})",
                            kind=RefusalKind.NOT_ALLOWED)
    except SignInRequired:
        return MailDecision("refused", reason=f"{mail.sender}: only accounts may submit "
                                              "tickets (accounts.required_to_submit)",
                            kind=RefusalKind.NO_ACCOUNT)
    except ValidationFailed as exc:
        return MailDecision("refused", reason=f"the ticket form refuses it: {exc}",
                            kind=RefusalKind.FORM)
    except RateLimited as exc:
        return MailDecision("refused", reason=f"rate limited: {exc} from {mail.sender}",
                            kind=RefusalKind.RATE_LIMITED)
    except IdempotencyConflict:
        # The same Message-ID and content made a ticket with other fields (another
        # product address, a changed form): it is the same mail, taken in before.
        return MailDecision("refused", reason="this mail was taken in before, into a "
                                              "ticket with other fields",
                            kind=RefusalKind.AUTOMATIC)
    if not receipt.created:
        note = "already taken in: a re-delivered mail"
    return MailDecision("new-ticket", receipt.ticket.number, note)


def _sender_account(services: Services, sender: str) -> Viewer | None:
    """The account the mail comes from, as the viewer it submits as (like a signed-in
    web submission: its organization, product rights and plan), or None. An invited
    account counts before its invitation is accepted: the operator made it."""
    if not sender:
        return None
    account = services.store.get_account(email_key(sender))
    if account is None:
        return None
    org = (services.store.get_organization(account.organization)
           if account.organization else None)
    return Viewer(account, org)


def _product(services: Services, settings: MailInConfig, mail: InboundMail,
             sender: Viewer | None = None) -> str:
    """The product a plus-address names (support+planner@...), else the default, or
    for an account without rights to the default, the first product it has."""
    ours = base_address(settings.address)
    for address in mail.recipients:
        tag = plus_tag(address)
        if tag in services.config.products and base_address(address) == ours:
            return tag
    if sender is not None and settings.default_product not in sender.rights:
        return next((p for p in services.config.products if p in sender.rights),
                    settings.default_product)
    return settings.default_product


def _subject(subject: str, limit: int) -> str:
    """The subject without Re:/Fwd: and ticket tags, cut at a word to fit the form."""
    subject = " ".join(single_line(_PREFIXES.sub("", subject)).split())
    if not has_visible_character(subject):
        subject = "(no subject)"
    if len(subject) <= limit:
        return subject
    cut = subject[:limit - 1].rsplit(" ", 1)[0] if " " in subject[:limit - 1] else ""
    return (cut or subject[:limit - 1]).rstrip() + "…"


def _fit(text: str, limit: int) -> str:
    """`text`, shortened with a note saying so when it is longer than `limit`."""
    text = text.strip()
    if len(text) <= limit:
        return text
    note = f"\n\n[Shortened: the e-mail had {len(text)} characters; the rest is not kept.]"
    return text[:limit - len(note)].rstrip() + note


def idempotency_key(mail: InboundMail, raw: bytes) -> str:
    """The same for a re-delivery of a mail, different for any other mail: its
    Message-ID and its content (the body with every part and attachment, as sent; line
    ends aside, which each hop may change). Mail clients and tools reuse Message-IDs,
    so another content under the same Message-ID is another mail. A mail without a
    Message-ID is known by its bytes."""
    if not mail.message_id:
        return "mail:" + hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()
    parts = _HEADER_END.split(raw, maxsplit=1)
    body = parts[1] if len(parts) == 2 else b""
    digest = hashlib.sha256(mail.message_id.encode("utf-8", "replace") + b"\0")
    digest.update(body.replace(b"\r\n", b"\n").rstrip(b"\n"))
    return "mail:" + digest.hexdigest()


# -- language --------------------------------------------------------------------------

_DUTCH = frozenset("de het een en niet geen ik wij u uw je jullie van voor met bij naar "
                   "ook maar dat deze dit wordt werkt kan kunnen graag vraag probleem "
                   "melding fout foutmelding hoe wat waarom dank bedankt groet groeten "
                   "beste goedemorgen goedemiddag vriendelijke alvast onze wanneer".split())
_ENGLISH = frozenset("the a an and not no i we you your of for with to at also but that "
                     "this these does doesn't works can could please question problem "
                     "error how what why thanks thank regards hello hi dear kind our "
                     "when it".split())
_WORD = re.compile(r"[a-zà-ÿ']+")


def guess_language(mail: InboundMail, our_address: str) -> str:
    """The language the mail says it is in (Content-Language: any of the interface's),
    "nl" when it reads as Dutch, "de" for a German client's reply; "en" otherwise."""
    from loket.domain.forms import LANGUAGES

    if mail.content_language:
        said = mail.content_language.split(",")[0].strip().split("-")[0].lower()
        return said if said in LANGUAGES else "en"
    if re.match(r"^\s*(?:antw|doorst)\s*:", mail.subject, re.IGNORECASE):
        return "nl"
    if re.match(r"^\s*(?:aw|wg)\s*:", mail.subject, re.IGNORECASE):
        return "de"  # Antwort, Weitergeleitet: what German mail clients write.
    # Our own mailbox at a .nl domain (support@vendor.nl), or support+nl@...
    local = base_address(our_address).rpartition("@")[0]
    for address in mail.recipients:
        if base_address(address).rpartition("@")[0] == local and (
                address.lower().endswith(".nl") or plus_tag(address) == "nl"):
            return "nl"
    words = _WORD.findall(f"{mail.subject}\n{mail.reply_text[:2000]}".lower())
    dutch = sum(w in _DUTCH for w in words)
    return "nl" if dutch >= 2 and dutch > sum(w in _ENGLISH for w in words) else "en"
