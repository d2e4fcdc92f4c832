"""What a dispatcher's attempt at a claimed mail changes in the stored mail, and no more.

The outcome of an attempt (storage/*_mail.py `update_mails`) is written as these fields
only, and only while the dispatcher's claim still holds: between the claim and the
outcome an erasure (services/erase.py) may have rewritten the mail's address and data,
or deleted it, and writing the whole mail back would restore what it removed. A sent
mail's data goes (mail_to_record keeps no data of a sent mail); otherwise the data stays
as the store now has it.
"""

from __future__ import annotations

from typing import Any

from loket.domain.outgoing import MailState, OutgoingMail
from loket.storage.mail_records import mail_to_record

OUTCOME_FIELDS = ("state", "attempts", "next_attempt_at", "last_error", "sent_at")


def outcome_fields(mail: OutgoingMail) -> dict[str, Any]:
    """The record's fields the attempt set (None: the field has no value)."""
    record = mail_to_record(mail)
    names = OUTCOME_FIELDS + (("data",) if mail.state is MailState.SENT else ())
    return {name: record[name] for name in names}
