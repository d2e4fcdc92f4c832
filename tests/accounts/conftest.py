"""Accounts, rights and the customer portal: real services over SQLite with a fixed
clock, two organizations, their customers and an agent, and a way to sign in a test
client without paying for argon2 each time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from argon2 import PasswordHasher

from loket.blobs.folder import FolderBlobs
from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.domain.accounts import Role, Visibility
from loket.mail.outbox import OutboxMailer
from loket.services.accounts import invite
from loket.services.context import Services
from loket.services.organizations import create_organization
from loket.services.passwords import hash_password
from loket.services.sessions import start_session
from loket.settings import Settings
from loket.storage.sqlite import SQLiteStore
from loket.web.app import create_app
from loket.web.auth import SESSION_COOKIE
from tests.api.conftest import Outbox
from tests.paths import SITE_CONFIG

PASSWORD = "marble kettle orbit 42 lantern"
# The people of the rights matrix.
ANN = "ann@acme.example"        # customer of Acme, planner
CARL = "carl@acme.example"      # colleague at Acme, payroll only (no planner)
BEA = "bea@beta.example"        # customer of Beta, planner
AGENT = "desk@nordwind.example" # agent on the planner board


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc))


@pytest.fixture
def services(clock, tmp_path):
    config = load_portal_config(SITE_CONFIG)
    return Services(config=config, store=SQLiteStore(tmp_path / "loket.db"),
                    mail=OutboxMailer(tmp_path / "outbox"), clock=clock,
                    base_url="http://portal.test",
                    mail_from="Nordwind Support <support@nordwind.example>",
                    blobs=FolderBlobs(tmp_path / "blobs", secret_key="test-secret"),
                    secret_key="test-secret",
                    # Cheap parameters: the tests sign in often. The real ones are
                    # measured by bench/login_bench.py.
                    password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app(services, tmp_path):
    app = create_app(Settings(site_dir=tmp_path / "no-site", config_dir=SITE_CONFIG),
                     services=services)
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(tmp_path, services):
    return Outbox(tmp_path / "outbox", services)


@dataclass
class People:
    """Accounts made active directly (their invitations are tested on their own)."""

    services: Services

    def activate(self, email: str, *, first: str = "Test", last: str = "Person") -> None:
        from dataclasses import replace

        account = self.services.store.get_account(email)
        self.services.store.save_account(replace(
            account, first_name=first, last_name=last,
            password_hash=hash_password(self.services, PASSWORD)))


@pytest.fixture
def people(services):
    """Acme (planner and payroll, colleagues see each other's tickets) with Ann
    (planner) and Carl (payroll), Beta (planner) with Bea, and an agent on the planner
    board."""
    create_organization(services, "acme", "Acme B.V.", products=["planner", "payroll"],
                        visibility=Visibility.ORGANIZATION)
    create_organization(services, "beta", "Beta GmbH", products=["planner"])
    invite(services, ANN, organization="acme", products=["planner"], support_contact=True)
    invite(services, CARL, organization="acme", products=["payroll"])
    invite(services, BEA, organization="beta", products=["planner"])
    invite(services, AGENT, organization=None, products=["planner"], role=Role.AGENT)
    found = People(services)
    for email in (ANN, CARL, BEA, AGENT):
        found.activate(email)
    return found


def sign_in_as(services, client, email: str) -> str:
    """Give the client a session of `email`, as signing in would; returns its CSRF token."""
    account = services.store.get_account(email)
    secret, session = start_session(services, account)
    client.set_cookie(SESSION_COOKIE, secret, domain="localhost")
    return session.csrf


def link_in(message, path: str) -> str:
    """The first portal link of `path` in an e-mail's text, without the host."""
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"http://portal\.test(/portal/{path}/\S+)", text)
    assert found, text
    return found.group(1)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)
