"""Mail in: the real services over SQLite, an outbox folder and a fixed clock, plus
the shared corpus of real-world e-mail and a builder for mail of our own."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.mail.outbox import OutboxMailer
from loket.services.context import Services
from loket.storage.sqlite import SQLiteStore
from tests.api.conftest import Outbox
from tests.paths import CORPUS, SITE_CONFIG

MAIL_CORPUS = CORPUS / "mail"
SUPPORT = "support@nordwind.example"
MAIL_FROM = f"Nordwind Support <{SUPPORT}>"


def corpus_messages() -> list[Path]:
    """Every e-mail in the corpus: not its notes, expectations or talon's reply texts."""
    return [path for path in sorted(MAIL_CORPUS.rglob("*"))
            if path.is_file() and path.suffix not in (".md", ".yml")
            and not path.name.endswith("_reply_text")]


def corpus_mail(relative: str) -> bytes:
    return (MAIL_CORPUS / relative).read_bytes()


def make_mail(*, sender: str = "ann@example.com", to: str = SUPPORT,
              subject: str = "Export to Excel fails", body: str = "The export shows an error.",
              headers: dict[str, str] | None = None, message_id: str | None = None) -> bytes:
    """A plain-text e-mail as a mail client would send it."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc))
    msg["Message-ID"] = message_id or make_msgid(domain="client.example")
    msg.set_content(body)
    for name, value in (headers or {}).items():  # After set_content: it drops Content-*.
        msg[name] = value
    return msg.as_bytes(policy=SMTP)


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc))


@pytest.fixture
def services(clock, tmp_path):
    return Services(config=load_portal_config(SITE_CONFIG),
                    store=SQLiteStore(tmp_path / "loket.db"),
                    mail=OutboxMailer(tmp_path / "outbox"), clock=clock,
                    base_url="http://portal.test", mail_from=MAIL_FROM)


@pytest.fixture
def outbox(tmp_path, services):
    return Outbox(tmp_path / "outbox", services)
