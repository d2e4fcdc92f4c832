"""Accounts, organizations, product rights and support plans; who may see which ticket.

Pure: no I/O. The account name is the e-mail address; `email_key` is the one form it is
stored and compared in, by both stores (SQLite's lower() folds ASCII letters only, so
the key does the same, and an index on lower(email) finds exactly these keys).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum

from loket.domain.tickets import Ticket

ORGANIZATION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def email_key(email: str) -> str:
    """The form an account's e-mail address is stored, indexed and compared in."""
    return email.strip().translate(_ASCII_FOLD)


def secret_hash(secret: str) -> str:
    """What the store keeps of a session id or a one-time link: never the secret itself,
    so a leaked database or backup opens no session and no invitation."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Role(StrEnum):
    CUSTOMER = "customer"
    # A minimal agent: sees every ticket of the products whose review board they are on.
    AGENT = "agent"


class Visibility(StrEnum):
    """What a customer sees of colleagues' tickets, set per organization."""

    OWN = "own"                     # own tickets only
    ORGANIZATION = "organization"   # every ticket of the organization, of their products


class OverPlan(StrEnum):
    ALLOW = "allow"    # accepted, with a notice that it is beyond the plan
    REFUSE = "refuse"  # refused with a clear message


@dataclass(frozen=True)
class SupportPlan:
    """Tickets included per period (None: no limit), and who may submit."""

    tickets: int | None = None
    period: str = "month"  # "month" or "year"
    over_limit: OverPlan = OverPlan.ALLOW
    contacts_only: bool = False

    def period_of(self, moment: datetime) -> str:
        """The period a moment falls in, as a counter name part: "2026-11" or "2026".
        Periods are UTC months or years, whatever zone the moment is given in, so a
        ticket's count and its warranty give-back always meet in the same counter."""
        moment = moment.astimezone(timezone.utc)
        return f"{moment:%Y}" if self.period == "year" else f"{moment:%Y-%m}"

    def describe(self) -> str:
        included = "no limit" if self.tickets is None else f"{self.tickets} tickets a {self.period}"
        who = "support contacts only" if self.contacts_only else "every account"
        beyond = "allowed" if self.over_limit is OverPlan.ALLOW else "refused"
        return f"{included}, beyond that {beyond}; submitting: {who}"


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    created_at: datetime
    products: frozenset[str] = frozenset()
    visibility: Visibility = Visibility.OWN
    plan: SupportPlan = field(default_factory=SupportPlan)


@dataclass(frozen=True)
class Preferences:
    """Which optional e-mails an account gets. The receipt and requests for information
    always go out."""

    status_changes: bool = True
    agent_replies: bool = True
    reminders: bool = True


@dataclass(frozen=True)
class AgentNotices:
    """Which e-mails about the desk's work an agent gets, each chosen in their account
    settings (services/agent_notices.py)."""

    new_tickets: bool = False      # a new ticket for a product of their boards
    customer_replies: bool = True  # the customer wrote on a ticket assigned to them
    assignments: bool = True       # a ticket was assigned to them
    # A ticket assigned to them (or unassigned, of their boards) is about to breach
    # its SLA (services/sla_warnings.py).
    sla_warnings: bool = True


@dataclass(frozen=True)
class SecondFactor:
    """An agent's TOTP authenticator (services/totp.py). `secret` is the RFC 6238 key
    (base32); it is set up when `confirmed` turns True, after the first right code.
    Recovery codes are kept as (id, argon2 hash) pairs: the id picks the one hash to
    check, and a used code is removed."""

    secret: str
    confirmed: bool = False
    recovery: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Account:
    email: str                       # email_key form
    role: Role
    created_at: datetime
    organization: str | None = None  # agents may have none
    products: frozenset[str] = frozenset()
    first_name: str = ""
    last_name: str = ""
    # None until the invitation is accepted: such an account cannot sign in.
    password_hash: str | None = None
    support_contact: bool = False
    language: str = "en"
    preferences: Preferences = field(default_factory=Preferences)
    # Raised when the password changes: every session made before ends.
    session_epoch: int = 0
    agent_notices: AgentNotices = field(default_factory=AgentNotices)
    second_factor: SecondFactor | None = None

    @property
    def active(self) -> bool:
        return self.password_hash is not None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def is_agent(self) -> bool:
        return self.role is Role.AGENT


def product_rights(account: Account, organization: Organization | None) -> frozenset[str]:
    """The products an account may see and submit for. A customer's rights are the
    organization's and the account's together: revoking a product from the
    organization revokes it from all its accounts, with no write per account."""
    if account.is_agent:
        return account.products
    if organization is None:
        return frozenset()
    return account.products & organization.products


def may_see(account: Account, organization: Organization | None, ticket: Ticket) -> bool:
    """The one rule for who sees a ticket (besides its secret link)."""
    if ticket.product not in product_rights(account, organization):
        return False
    if account.is_agent:
        return True
    if email_key(ticket.email) == account.email:
        return True
    return (organization is not None and organization.visibility is Visibility.ORGANIZATION
            and ticket.organization == organization.id)


class TokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password-reset"
    # Between a right password and a right second code: short-lived, single use.
    SECOND_FACTOR = "second-factor"


@dataclass(frozen=True)
class OneTimeToken:
    """A link's secret, kept as its hash: single use (taken atomically) and expiring."""

    hash: str
    purpose: TokenPurpose
    email: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    """A signed-in browser. The cookie holds the secret id; the store its hash."""

    hash: str
    email: str
    csrf: str
    epoch: int
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Rating:
    ticket: int
    good: bool
    comment: str
    created_at: datetime
    by: str  # the account, or "e-mail link"
