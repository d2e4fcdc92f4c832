"""Refused mail, kept: the record and raw mail an agent sees (desk, `loket mail
refused`), the notice a person gets at most once a day, and "take in anyway".

The raw mail goes to the blob store first (refused/<id>.eml), then the record that
names it, so a record never points at nothing. The id comes from the mail's
idempotency key: a re-delivered refused mail is kept once and told once.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import replace
from datetime import timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.refused import RefusedMail
from loket.domain.outgoing import OutgoingMail
from loket.mail.compose import letter
from loket.services.context import Services
from loket.services.ratelimit import count_in_window

if TYPE_CHECKING:  # The mail parser is heavy: the web app imports this module, not it.
    from loket.mail.inbound import InboundMail

log = logging.getLogger(__name__)

REFUSED_PREFIX = "refused/"
_DAY = 86400


_ID = re.compile(r"[0-9a-f]{32}")


def refused_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def keep_refused(services: Services, mail: InboundMail, raw: bytes, key: str, decision):
    """Keep the refused mail for agents, with the notice to its sender queued in the
    same write when one is due; the decision comes back with the id it is kept under."""
    now = services.clock.now()
    record = RefusedMail(
        id=refused_id(key), received_at=now,
        expires_at=now + timedelta(days=services.config.retention.refused_mail_days),
        kind=decision.kind, reason=decision.reason, sender=mail.sender,
        # Capped: a hostile header may be any length, and a DynamoDB item is 400 KB.
        subject=mail.subject[:200], message_id=mail.message_id[:500],
        raw_key=_store_raw(services, refused_id(key), raw), size=len(raw),
        ticket=decision.ticket)
    notice = _notice(services, mail, record)
    services.store.keep_refused(record, mails=[notice] if notice else [])
    return replace(decision, refused_id=record.id)


def _store_raw(services: Services, record_id: str, raw: bytes) -> str | None:
    if services.blobs is None:
        log.warning("refused mail %s is kept without its raw mail: no blob store", record_id)
        return None
    key = f"{REFUSED_PREFIX}{record_id}.eml"
    services.blobs.put(key, io.BytesIO(raw), content_type="message/rfc822")
    return key


def _may_tell(mail: InboundMail, record: RefusedMail) -> bool:
    """A person who wrote to us, not a machine, a list or a possibly forged sender."""
    verdicts = mail.verdicts
    return (record.kind.tells_sender and bool(mail.sender) and not mail.mailing_list
            and not (verdicts.spam_failed or verdicts.virus_failed or verdicts.dmarc_failed))


def _notice(services: Services, mail: InboundMail, record: RefusedMail) -> OutgoingMail | None:
    """The notice to queue, or None: at most one a day per address, whatever number of
    mails it sends (a re-delivery counts too, and is kept and told only once)."""
    if not _may_tell(mail, record):
        return None
    told, _ = count_in_window(services, f"refused-notice:{mail.sender.lower()}", _DAY)
    return refused_notice(services, mail, record) if told == 1 else None


def refused_notice(services: Services, mail: InboundMail, record: RefusedMail) -> OutgoingMail:
    from loket.services.mail_in import guess_language, mail_in_settings

    lang = guess_language(mail, mail_in_settings(services).address)
    data = {"vendor": services.config.vendor, "subject": mail.subject or "(no subject)",
            "kind": record.kind.value, "portal_url": services.base_url.rstrip("/") + "/"}
    # In the sender's thread, so their client shows it beside the mail it is about.
    return letter("mail-refused", lang=lang, mail_from=services.mail_from, to=mail.sender,
                  data=data, created_at=record.received_at,
                  thread_root=mail.message_id or None)


# -- agents ------------------------------------------------------------------------------

def list_refused(services: Services, *, limit: int = 50, before=None) -> list[RefusedMail]:
    return services.store.list_refused(limit=limit, before=before)


def get_refused(services: Services, refused: str) -> RefusedMail:
    """The refused mail with this id; anything not shaped like one is never looked up
    (a key DynamoDB would refuse must be an answer, not an error)."""
    record = services.store.get_refused(refused) if _ID.fullmatch(refused) else None
    if record is None:
        raise ValidationFailed([FieldError("id", f"no refused mail {refused[:40]!r}")])
    return record


def refused_raw(services: Services, record: RefusedMail) -> bytes | None:
    if record.raw_key is None or services.blobs is None:
        return None
    return services.blobs.read(record.raw_key)


def take_in_anyway(services: Services, refused: str, *, agent: str):
    """Take in a refused mail as the agent decides: limits, the account requirement,
    the scans and the DMARC hold give way. Taking it in twice makes nothing twice
    (the mail's key is the ticket's and the message's idempotency key)."""
    from loket.mail.inbound import read_mail
    from loket.services.mail_in import (MailDecision, idempotency_key, mail_in_settings,
                                         take_in_read_mail)

    record = get_refused(services, refused)
    if not record.held:
        return MailDecision("new-ticket" if record.ticket else "reply", record.ticket,
                            f"taken in already by {record.taken_in_by}")
    raw = refused_raw(services, record)
    if raw is None:
        raise ValidationFailed([FieldError("id", "the raw mail was not kept; it cannot be "
                                                 "taken in")])
    settings = mail_in_settings(services)
    mail = read_mail(raw, own_addresses=(settings.address, parseaddr(services.mail_from)[1]),
                     screen=False)
    if mail.refused or not mail.sender:
        raise ValidationFailed([FieldError("id", "the mail cannot be read, or names no "
                                                 f"sender ({mail.refused or 'no From'}); "
                                                 "open the original instead")])
    decision = take_in_read_mail(services, settings, mail, idempotency_key(mail, raw), by_agent=True)
    if decision.action == "refused":
        raise ValidationFailed([FieldError("id", f"still refused: {decision.reason}")])
    services.store.mark_refused_taken_in(record.id, ticket=decision.ticket, by=agent,
                                         at=services.clock.now())
    return decision
