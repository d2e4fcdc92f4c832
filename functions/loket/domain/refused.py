"""Mail that mail-in did not take in, kept with the reason so an agent can see it and
take it in anyway: nothing a sender writes vanishes without a trace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# How long refused mail is kept; removing it afterwards is the retention clean-up's job.
KEEP_REFUSED = timedelta(days=30)


class RefusalKind(StrEnum):
    AUTOMATIC = "automatic"          # auto-reply, bounce, our own mail, no sender
    UNREADABLE = "unreadable"        # the parser gave up
    RATE_LIMITED = "rate-limited"    # over the submissions per hour or day
    NO_ACCOUNT = "no-account"        # accounts.required_to_submit and no account
    NOT_ALLOWED = "not-allowed"      # no support contact, plan used up
    FORM = "form-refused"            # the ticket form refuses what the mail says
    EMPTY = "empty-reply"            # a reply that holds no text
    SPAM = "spam"                    # a failing spam verdict (SES)
    VIRUS = "virus"                  # a failing virus verdict (SES)
    DMARC = "dmarc-failed"           # a reply whose sender fails DMARC: held for an agent

    @property
    def tells_sender(self) -> bool:
        """Whether a person may be told why: never for automatic mail, mail we cannot
        read, or mail whose sender may be forged (spam, virus, DMARC): that would be
        backscatter."""
        return self in _TOLD


_TOLD = frozenset({RefusalKind.RATE_LIMITED, RefusalKind.NO_ACCOUNT,
                   RefusalKind.NOT_ALLOWED, RefusalKind.FORM, RefusalKind.EMPTY})


@dataclass(frozen=True)
class RefusedMail:
    id: str                          # from the mail's idempotency key: kept once
    received_at: datetime
    expires_at: datetime
    kind: RefusalKind
    reason: str
    sender: str = ""
    subject: str = ""
    message_id: str = ""
    # The raw mail in the blob store (refused/<id>.eml); None when there was none.
    raw_key: str | None = None
    size: int = 0
    # The ticket the mail refers to (a held reply), then the one it was taken into.
    ticket: int | None = None
    taken_in_at: datetime | None = None
    taken_in_by: str | None = None

    @property
    def held(self) -> bool:
        return self.taken_in_at is None
