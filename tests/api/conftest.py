"""An app wired by hand: the real services over SQLite, an outbox folder and a fixed clock."""

from __future__ import annotations

import email
from datetime import datetime, timezone
from email.policy import default as default_policy
from pathlib import Path

import pytest

from loket.blobs.folder import FolderBlobs
from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.mail.outbox import OutboxMailer
from loket.services.context import Services
from loket.settings import Settings
from loket.storage.sqlite import SQLiteStore
from loket.web.app import create_app
from tests.paths import SITE_CONFIG

VALID = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
         "subject": "Export to Excel fails", "description": "The export shows an error."}


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc))


@pytest.fixture
def services(clock, tmp_path):
    config = load_portal_config(SITE_CONFIG)
    return Services(config=config, store=SQLiteStore(tmp_path / "loket.db"),
                    mail=OutboxMailer(tmp_path / "outbox"), clock=clock,
                    base_url="http://portal.test", mail_from="Nordwind Support <support@nordwind.example>",
                    blobs=FolderBlobs(tmp_path / "blobs", secret_key="test-secret"))


@pytest.fixture
def app(services, tmp_path):
    settings = Settings(site_dir=tmp_path / "no-site", config_dir=SITE_CONFIG)
    app = create_app(settings, services=services)
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


class Outbox:
    """The .eml files the outbox sender wrote. With `services`, reading it first runs
    the dispatcher (services/mail_dispatch.py), as `loket serve`'s mail loop would."""

    def __init__(self, folder: Path, services: Services | None = None):
        self.folder = folder
        self.services = services

    def messages(self) -> list[email.message.EmailMessage]:
        if self.services is not None:
            from loket.services.mail_dispatch import send_queued

            send_queued(self.services)
        files = sorted(self.folder.glob("*.eml")) if self.folder.exists() else []
        return [email.message_from_bytes(f.read_bytes(), policy=default_policy) for f in files]


@pytest.fixture
def outbox(tmp_path, services):
    return Outbox(tmp_path / "outbox", services)


def ticket_count(services: Services) -> int:
    """How many tickets exist, by walking numbers from the first one."""
    number = services.config.first_ticket_number
    while services.store.get_ticket(number) is not None:
        number += 1
    return number - services.config.first_ticket_number
