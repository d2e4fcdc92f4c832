"""What every use case is given: the configuration and the adapters, wired once."""

from __future__ import annotations

from dataclasses import dataclass

from loket.config import PortalConfig
from loket.ports import BlobStore, Clock, MailSender, Searcher, TicketStore


@dataclass
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
    # argon2id parameters (services/passwords.py); None: the RFC 9106 low-memory profile.
    password_hasher: object | None = None

    def lookup_url(self, number: int, access_key: str) -> str:
        return f"{self.base_url.rstrip('/')}/portal/tickets/{number}?token={access_key}"
