"""What every use case is given: the configuration and the adapters, wired once."""

from __future__ import annotations

from dataclasses import dataclass, field

from loket.config import PortalConfig
from loket.domain.outgoing import RetryPolicy
from loket.ports import BlobStore, Clock, MailSender, Searcher, TicketStore


@dataclass(eq=False)
class Services:
    config: PortalConfig
    store: TicketStore
    mail: MailSender
    clock: Clock
    base_url: str
    mail_from: str
    # The knowledge-base index, when one was built; suggestions are optional everywhere.
    search: Searcher | None = None
    # Where attachments' bytes live; without one, files are refused with a clear error.
    blobs: BlobStore | None = None
    # Signs the links that need no stored state (rating links in e-mails).
    secret_key: str = ""
    # The keys links are signed with (loket/secret_keys.py): the first signs, all are
    # accepted while a key changes. None: secret_key alone.
    secret_keys: object | None = None
    # argon2id parameters (services/passwords.py); None: the RFC 9106 low-memory profile.
    password_hasher: object | None = None
    # How the mail dispatcher retries temporary failures, and when it gives up.
    mail_retry: RetryPolicy = field(default_factory=RetryPolicy)

    def signing_keys(self) -> tuple[str, ...]:
        """The key that signs, then the older ones still accepted; () for none."""
        if self.secret_keys is not None:
            return self.secret_keys.all()
        return (self.secret_key,) if self.secret_key else ()

    def lookup_url(self, number: int, access_key: str) -> str:
        return f"{self.base_url.rstrip('/')}/portal/tickets/{number}?token={access_key}"
