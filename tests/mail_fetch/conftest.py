"""`loket mail-fetch` against a real IMAP server (tests/imap_server.py): one Dovecot for
the session, a fresh user (so a fresh mailbox) for each test."""

from __future__ import annotations

import imaplib
import itertools
import shutil
import ssl
import tempfile
from pathlib import Path

import pytest

from loket.mail.imap import ImapMailbox, parse_imap_url
from tests.imap_server import ImapServer, start_imap_server

_users = itertools.count(1)
USERS = 50  # A fresh mailbox for each test; Dovecot gets them all at start.
PASSWORD = "s3cret-app-password"
OAUTH_USER, OAUTH_TOKEN = "oauth-user", "ya29.an-access-token"


@pytest.fixture(scope="session")
def imap_server():
    root = Path(tempfile.mkdtemp(prefix="loket-imap-"))
    users = {f"support{i}": PASSWORD for i in range(1, USERS + 1)}
    server = start_imap_server(root, {**users, OAUTH_USER: OAUTH_TOKEN})
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


class Mailbox:
    """A test user's mailbox, seen through a plain imaplib session of the test's own."""

    def __init__(self, server: ImapServer, user: str, password: str):
        self.server = server
        self.user = user
        self.password = password
        self.url = server.url(user, password)

    def factory(self, *, processed: str = "Processed", **options):
        target = parse_imap_url(self.url)
        return lambda: ImapMailbox(target, processed=processed,
                                   ca_file=self.server.ca_file, **options)

    def _session(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.server.ca_file))
        imap = imaplib.IMAP4_SSL("localhost", self.server.imaps_port, ssl_context=context)
        imap.login(self.user, self.password)
        return imap

    def deliver(self, *messages: bytes) -> None:
        imap = self._session()
        try:
            for raw in messages:
                typ, data = imap.append("INBOX", None, None, raw)
                assert typ == "OK", data
        finally:
            imap.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The raw messages in `folder` ([] when it does not exist), oldest first."""
        imap = self._session()
        try:
            typ, _ = imap.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return []
            typ, data = imap.uid("SEARCH", None, "UNDELETED")
            uids = data[0].split()
            found = []
            for uid in uids:
                typ, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                found += [p[1] for p in parts if isinstance(p, tuple)]
            return found
        finally:
            imap.logout()

    def seen_flags(self, folder: str = "INBOX") -> list[bytes]:
        imap = self._session()
        try:
            imap.select(f'"{folder}"', readonly=True)
            typ, data = imap.fetch("1:*", "(FLAGS)")
            return [d for d in data if d]
        finally:
            imap.logout()


@pytest.fixture
def mailbox(imap_server) -> Mailbox:
    return Mailbox(imap_server, f"support{next(_users)}", PASSWORD)


@pytest.fixture
def services(tmp_path):
    from datetime import datetime, timezone

    from loket.blobs.folder import FolderBlobs
    from loket.clock import FixedClock
    from loket.config import load_portal_config
    from loket.mail.outbox import OutboxMailer
    from loket.services.context import Services
    from loket.storage.sqlite import SQLiteStore
    from tests.mail.conftest import MAIL_FROM
    from tests.paths import SITE_CONFIG

    return Services(config=load_portal_config(SITE_CONFIG),
                    store=SQLiteStore(tmp_path / "loket.db"),
                    mail=OutboxMailer(tmp_path / "outbox"),
                    clock=FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)),
                    base_url="http://portal.test", mail_from=MAIL_FROM,
                    blobs=FolderBlobs(tmp_path / "blobs", secret_key="test"))
