"""Sessions: a signed-in browser is a random secret in a cookie; the store keeps its
hash with the account, a CSRF token and an expiry. Signing out deletes it; a new
password ends every older session (the account's session_epoch moves on)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from loket.domain.access_keys import same_secret
from loket.domain.accounts import (Account, Organization, Session, may_see, product_rights,
                                   secret_hash)
from loket.domain.tickets import Ticket
from loket.services.context import Services


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a signed-in account with its organization and session (None for
    an account known by the address its e-mail came from: services/mail_in.py)."""

    account: Account
    organization: Organization | None
    session: Session | None = None

    @property
    def rights(self) -> frozenset[str]:
        return product_rights(self.account, self.organization)

    def may_see(self, ticket: Ticket) -> bool:
        return may_see(self.account, self.organization, ticket)

    def csrf_ok(self, token: str | None) -> bool:
        return self.session is not None and same_secret(self.session.csrf, token)


def start_session(services: Services, account: Account) -> tuple[str, Session]:
    """A new session for the account; returns the cookie's secret and the session."""
    secret = secrets.token_urlsafe(32)
    now = services.clock.now()
    session = Session(hash=secret_hash(secret), email=account.email,
                      csrf=secrets.token_urlsafe(32), epoch=account.session_epoch,
                      created_at=now,
                      expires_at=now + timedelta(days=services.config.accounts.session_days))
    services.store.create_session(session)
    return secret, session


def viewer_of(services: Services, secret: str | None) -> Viewer | None:
    """The viewer a session cookie stands for, or None: no cookie, an unknown, ended or
    expired session, an account that is gone, or a password changed since."""
    if not secret:
        return None
    session = services.store.get_session(secret_hash(secret), services.clock.now())
    if session is None:
        return None
    account = services.store.get_account(session.email)
    if account is None or not account.active or account.session_epoch != session.epoch:
        return None
    org = services.store.get_organization(account.organization) if account.organization else None
    return Viewer(account, org, session)


def end_session(services: Services, secret: str | None) -> None:
    if secret:
        services.store.delete_session(secret_hash(secret))
