"""Fetching mail from an IMAP mailbox (`loket mail-fetch`, `loket serve`'s loop).

Each message is taken in (take_in_mail stores the ticket, the reply or the refused
mail) and only then moved to the processed folder. A crash between the two leaves
the message in the mailbox, and the next fetch takes it in again, which changes
nothing (its Message-ID and content key what it made) before moving it: no mail is
lost and none is taken in twice. A message that cannot be taken in now (the store is
down) stays for the next fetch; the others go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, ContextManager

from loket.mail.imap import ImapError, ImapMailbox, parse_imap_url
from loket.services.background import EveryInterval
from loket.services.context import Services
from loket.services.mail_in import MailDecision, take_in_mail

log = logging.getLogger(__name__)

MailboxFactory = Callable[[], ContextManager[ImapMailbox]]


@dataclass
class FetchReport:
    taken: list[tuple[str, MailDecision]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.taken)} message{'' if len(self.taken) == 1 else 's'} taken in"
                + (f", {len(self.failed)} left for the next fetch" if self.failed else ""))


def mailbox_from_settings(settings) -> MailboxFactory:
    """A factory for sessions on LOKET_IMAP_URL's mailbox (ImapError when it is wrong)."""
    target = parse_imap_url(settings.imap_url)
    if settings.imap_processed.strip().lower() == target.mailbox.lower():
        raise ImapError("LOKET_IMAP_PROCESSED must be another folder than the one "
                        f"LOKET_IMAP_URL fetches from ({target.mailbox})")
    return lambda: ImapMailbox(target, processed=settings.imap_processed,
                               oauth_token=settings.imap_oauth_token,
                               ca_file=settings.imap_ca_file)


def fetch_mail(services: Services, mailbox: MailboxFactory, *, limit: int = 200,
               taken: Callable[[str, MailDecision], None] = lambda uid, decision: None
               ) -> FetchReport:
    """Take in up to `limit` waiting messages, oldest first; `taken` hears of each
    one after it is stored and before it is moved."""
    report = FetchReport()
    with mailbox() as box:
        for uid in box.uids()[:limit]:
            raw = box.fetch(uid)
            if raw is None:
                continue  # Another client took it meanwhile.
            try:
                decision = take_in_mail(services, raw)
            except Exception as exc:  # Left in the mailbox: the next fetch tries again.
                log.exception("IMAP message %s was not taken in; it stays for the next fetch",
                              uid)
                report.failed.append((uid, f"{type(exc).__name__}: {exc}"))
                continue
            taken(uid, decision)
            box.move_to_processed(uid)
            report.taken.append((uid, decision))
    return report


class MailFetchLoop(EveryInterval):
    """Fetches every `interval` seconds in a daemon thread, for `loket serve`; stop()
    waits for a fetch in progress, so no message is cut between store and move (and
    if the process dies there anyway, the next fetch makes up for it)."""

    name = "loket-mail-fetch"

    def __init__(self, services: Services, mailbox: MailboxFactory, interval: float):
        self.services = services
        self.mailbox = mailbox
        super().__init__(interval)

    def run_once(self) -> FetchReport | None:
        """One fetch; None when it failed (logged: the next one tries again)."""
        try:
            report = fetch_mail(self.services, self.mailbox)
        except Exception:  # A mail server that is down now may be up next time.
            log.exception("mail fetch failed; trying again in %s s", self.interval)
            return None
        if report.taken or report.failed:
            log.info("mail fetch: %s", report.summary())
        return report
