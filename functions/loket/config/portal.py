"""The configuration as the code uses it: plain dataclasses, no pydantic.

Read from the files, its parts are the pydantic models that validated them; compiled
(config/compiled.py, in the Lambda zip) they are the Frozen* twins of those models
(config/frozen.py), so a cold start that loads it never imports pydantic. The code
reads both alike: the same attributes, the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loket.domain.canned_replies import CannedReply
from loket.domain.tickets import Status
from loket.domain.workflow import Workflow


# Defaults for a PortalConfig made in code (tests): the validated models' own defaults.
def _attachment_limits():
    from loket.config.attachment_limits import AttachmentLimits

    return AttachmentLimits()


def _accounts():
    from loket.config.model import AccountsConfig

    return AccountsConfig()


def _retention():
    from loket.config.model import RetentionConfig

    return RetentionConfig()


@dataclass(frozen=True)
class PortalConfig:
    """Everything site_config/ says, validated and joined up."""

    vendor: str
    first_ticket_number: int
    products: dict[str, Any]
    workflow: Workflow
    submissions: Any
    form: Any
    # Without a mail_in section, mail in uses the sender address and the first product.
    mail_in: Any = None
    # Product id -> its review board's e-mail address.
    review_boards: dict[str, str] = field(default_factory=dict)
    attachments: Any = field(default_factory=_attachment_limits)
    accounts: Any = field(default_factory=_accounts)
    # Team id -> the team (portal.yml `teams:`).
    teams: dict[str, Any] = field(default_factory=dict)
    # Reply id -> language -> the canned reply (site_config/replies/, #12).
    canned_replies: dict[str, dict[str, CannedReply]] = field(default_factory=dict)
    retention: Any = field(default_factory=_retention)

    @classmethod
    def assemble(cls, portal, form, workflow: Workflow, accounts=None) -> "PortalConfig":
        """From the validated files (config/model.py's pydantic models)."""
        from dataclasses import replace

        from loket.config.model import AccountsConfig

        # The workflow works out every ticket's due moment, its retention's included.
        workflow = replace(workflow,
                           closed_ticket_months=portal.retention.closed_ticket_months)
        return cls(vendor=portal.vendor, first_ticket_number=portal.first_ticket_number,
                   products={p.id: p.name for p in portal.products}, workflow=workflow,
                   submissions=portal.submissions, form=form, mail_in=portal.mail_in,
                   review_boards={p.id: p.review_board for p in portal.products
                                  if p.review_board}, attachments=portal.attachments,
                   accounts=accounts or (portal.accounts if isinstance(
                       portal.accounts, AccountsConfig) else AccountsConfig()),
                   teams={team.id: team for team in portal.teams},
                   retention=portal.retention)

    @property
    def statuses(self) -> dict[str, Status]:
        return dict(self.workflow.statuses)

    @property
    def initial_status(self) -> str:
        return self.workflow.initial_status

    def status(self, status_id: str) -> Status:
        return self.workflow.status(status_id)
