"""The validated configuration without pydantic, for the compiled configuration.

`freeze` turns each pydantic model of a PortalConfig read from the files into its plain
frozen twin here (or in domain/forms.py, domain/attachments.py): the same attributes
and methods, as validated. Pickled so (config/compiled.py), the configuration loads
without importing pydantic, which cost a Lambda cold start about a third of a minimal
Flask handler's. Validation stays where it was: when the files are read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from loket.domain.accounts import SupportPlan
from loket.domain.attachments import FrozenAttachmentLimits
from loket.domain.forms import FrozenChoice, FrozenField, FrozenForm, FrozenLabels


@dataclass(frozen=True)
class FrozenProduct:
    id: str
    name: FrozenLabels
    review_board: str | None


@dataclass(frozen=True)
class FrozenTeam:
    id: str
    name: FrozenLabels
    products: list[str]
    email: str


@dataclass(frozen=True)
class FrozenSubmissionLimits:
    per_hour: int
    per_day: int
    max_body_bytes: int


@dataclass(frozen=True)
class FrozenMailIn:
    address: str
    default_product: str


@dataclass(frozen=True)
class FrozenLoginLimits:
    per_account: int
    per_address: int
    window_minutes: int


@dataclass(frozen=True)
class FrozenPlan:
    tickets: int | None
    period: str
    over_limit: Any
    contacts_only: bool

    def build(self) -> SupportPlan:
        return SupportPlan(tickets=self.tickets, period=self.period,
                           over_limit=self.over_limit, contacts_only=self.contacts_only)


@dataclass(frozen=True)
class FrozenAccounts:
    required_to_submit: bool
    default_plan: FrozenPlan
    invitation_days: int
    password_reset_minutes: int
    password_reset_answer_ms: int
    session_days: int
    password_min_length: int
    login_limits: FrozenLoginLimits
    agents_second_factor: bool
    agent_note_marker: str
    sla_warning_minutes: int
    reopen_within_days: int
    rating_window_days: int
    desk_admins: list[str] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class FrozenRetention:
    refused_mail_days: int
    closed_ticket_months: int | None = None


# The pydantic model's class name -> its twin.
TWINS = {"Labels": FrozenLabels, "Choice": FrozenChoice, "FieldSpec": FrozenField,
         "FormDefinition": FrozenForm, "AttachmentLimits": FrozenAttachmentLimits,
         "ProductConfig": FrozenProduct, "TeamConfig": FrozenTeam,
         "SubmissionLimits": FrozenSubmissionLimits, "MailInConfig": FrozenMailIn,
         "LoginLimits": FrozenLoginLimits, "PlanSettings": FrozenPlan,
         "AccountsConfig": FrozenAccounts, "RetentionConfig": FrozenRetention}


def freeze_config(config):
    """A PortalConfig whose parts hold no pydantic model (the workflow, canned replies
    and review boards are plain already)."""
    return dataclasses.replace(config, **{
        name: freeze(getattr(config, name))
        for name in ("products", "submissions", "form", "mail_in", "attachments",
                     "accounts", "teams", "retention")})


def freeze(value: Any) -> Any:
    """value with every pydantic model in it (in dicts and lists) replaced by its frozen
    twin; a model without one is an error (KeyError), so nothing pydantic slips through."""
    if hasattr(type(value), "model_fields"):
        twin = TWINS[type(value).__name__]
        fields = {name: freeze(getattr(value, name)) for name in type(value).model_fields}
        fields.update({k: freeze(v) for k, v in (value.model_extra or {}).items()})
        return twin(**fields)
    if isinstance(value, dict):
        return {k: freeze(v) for k, v in value.items()}
    if isinstance(value, list):
        return [freeze(v) for v in value]
    return value
