"""The shape of site_config/portal.yml, validated with pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loket.config.portal import PortalConfig  # noqa: F401  (where it was)
from loket.domain.accounts import OverPlan, SupportPlan, email_key
from loket.domain.attachments import AttachmentLimits
from loket.domain.forms import FormDefinition, Labels


class ProductConfig(BaseModel):
    # defer_build: the validator is built on first use, so a cold start that loads the
    # precompiled configuration (loket.config.compiled) never builds it.
    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Labels
    # The product's review board: told of SLA breaches (and more, as the workflow's
    # `notify` says). An e-mail address until accounts exist.
    review_board: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class TeamConfig(BaseModel):
    """A support team tickets are assigned to (portal.yml `teams:`), for the products it
    serves; its address hears of each assignment."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Labels
    products: list[str] = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SubmissionLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    per_hour: int = Field(default=20, gt=0)
    per_day: int = Field(default=240, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=1024)


class MailInConfig(BaseModel):
    """Mail in: the address customers write to, and the product of a mail that names
    none (support+<product>@... names one)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    address: str = Field(pattern=r"^[^@\s+]+@[^@\s]+\.[^@\s]+$")
    default_product: str


class LoginLimits(BaseModel):
    """Failed sign-ins allowed in a window: per client address (over all accounts) and
    per account from one address (services/sign_in_limits.py)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    per_account: int = Field(default=10, gt=0)
    per_address: int = Field(default=30, gt=0)
    window_minutes: int = Field(default=15, gt=0)


class PlanSettings(BaseModel):
    """A support plan (domain/accounts.SupportPlan) as configuration."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    # Tickets included per period; null: no limit (tickets are still counted).
    tickets: int | None = Field(default=None, ge=0)
    period: Literal["month", "year"] = "month"
    # Beyond the plan: accepted with a notice (allow), or refused.
    over_limit: OverPlan = OverPlan.ALLOW
    # Only the organization's support contacts may submit.
    contacts_only: bool = False

    def build(self) -> SupportPlan:
        return SupportPlan(tickets=self.tickets, period=self.period,
                           over_limit=self.over_limit, contacts_only=self.contacts_only)


class AccountsConfig(BaseModel):
    """Accounts and the customer portal (domain/accounts.py, services/accounts.py)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    # Only accounts may submit tickets: signed in on the web, or mailing from the
    # account's address; otherwise anyone with an e-mail address.
    required_to_submit: bool = False
    # The support plan a new organization starts with (`loket orgs plan` changes one
    # organization's plan later; changing this leaves existing organizations as they are).
    default_plan: PlanSettings = Field(default_factory=PlanSettings)
    invitation_days: int = Field(default=7, gt=0)
    password_reset_minutes: int = Field(default=60, gt=0)
    # Every answer to a reset request takes at least this long, whether or not the
    # address has an account (sending the link takes time the other answer would not):
    # keep it above the slowest send (a warning is logged when one takes longer).
    password_reset_answer_ms: int = Field(default=500, ge=0, le=10_000)
    session_days: int = Field(default=14, gt=0)
    password_min_length: int = Field(default=10, ge=8)
    login_limits: LoginLimits = Field(default_factory=LoginLimits)
    # Every agent signs in with a second factor too: a code from an authenticator app
    # (TOTP), set up with a QR code at their first sign-in, or one of their recovery
    # codes (services/totp.py).
    agents_second_factor: bool = False
    # An agent's e-mailed reply to a notice that starts with this marker becomes an
    # internal note instead of a public reply (services/agent_mail_in.py).
    agent_note_marker: str = Field(default="#note", min_length=1, max_length=20)
    # The sweeper warns agents this many minutes before a ticket breaches its SLA
    # (services/sla_warnings.py); 0: no warnings.
    sla_warning_minutes: int = Field(default=60, ge=0, le=24 * 60)
    # A solved or closed ticket is reopened within this many days of being solved;
    # after that the customer gets a follow-up ticket linked to it.
    reopen_within_days: int = Field(default=14, ge=0)
    # How long the rating link in the e-mail about a solved ticket works.
    rating_window_days: int = Field(default=14, gt=0)
    # Agents (by address) who may make the vendor-wide decisions on the desk: lift a
    # bounce or complaint suppression (/desk/mail/suppressions/) and erase a person
    # (services/desk.is_desk_admin). Every other agent gets 403 on those actions.
    desk_admins: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _admin_addresses(self) -> "AccountsConfig":
        for address in self.desk_admins:
            if "@" not in address or address != address.strip():
                raise ValueError(f"desk_admins: {address!r} is not an e-mail address")
        # The stores' form of an address (ASCII letters folded, as sign-in compares):
        # str.lower() would also fold e.g. the Kelvin sign into "k", naming another agent.
        self.desk_admins = [email_key(address) for address in self.desk_admins]
        return self


class RetentionConfig(BaseModel):
    """How long data is kept (portal.yml `retention:`; README.md, "Retention")."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    # Refused mail (its record and raw message) is removed this many days after it came:
    # by the sweeper of `loket serve`, and on AWS by the table's TTL and the bucket's
    # lifecycle rule (serverless.yml reads this value).
    refused_mail_days: int = Field(default=30, ge=1, le=3650)
    # A closed (or cancelled) ticket loses its personal data this many months after it
    # was closed (domain/retention.py; the sweeper does it). None (the default): kept.
    closed_ticket_months: int | None = Field(default=None, ge=1, le=1200, strict=True)


class PortalFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    vendor: str
    first_ticket_number: int = Field(default=10001, gt=0)
    ticket_form: str = "forms/ticket.yml"
    products: list[ProductConfig] = Field(min_length=1)
    # The workflow file (statuses, transitions, timers, calendar, SLA), relative to
    # site_config/: one of the presets, or a file of the vendor's own.
    workflow: str
    # Factories, not instances: an instance here would build the model's validator
    # when this module is imported (see defer_build above).
    submissions: SubmissionLimits = Field(default_factory=SubmissionLimits)
    mail_in: MailInConfig | None = None
    # Files on tickets and replies: sizes, counts and content types.
    attachments: AttachmentLimits = Field(default_factory=AttachmentLimits)
    # The accounts section, or the path (relative to site_config/) of a file holding
    # it, as a preset ships one: presets/support-plan/accounts.yml.
    accounts: AccountsConfig | str = Field(default_factory=AccountsConfig)

    # Teams tickets may be assigned to, besides the agents of each product's board.
    teams: list[TeamConfig] = Field(default_factory=list)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)

    def problems(self) -> list[tuple[tuple, str]]:
        """Teams naming a product that is not listed, or an id used twice."""
        products, seen, found = {p.id for p in self.products}, set(), []
        for i, team in enumerate(self.teams):
            if team.id in seen:
                found.append((("teams", i, "id"), f"'{team.id}' is listed twice"))
            seen.add(team.id)
            found += [(("teams", i, "products", j), f"'{p}' is not a listed product")
                      for j, p in enumerate(team.products) if p not in products]
        return found

    @model_validator(mode="after")
    def _consistent(self) -> "PortalFile":
        ids = [p.id for p in self.products]
        if len(ids) != len(set(ids)):
            raise ValueError("product ids must be unique")
        if self.mail_in and self.mail_in.default_product not in {p.id for p in self.products}:
            raise ValueError(f"mail_in.default_product '{self.mail_in.default_product}' "
                             "is not a listed product")
        return self
