"""Lifting a suppression (domain/outgoing.Suppression): an admin decides that an
address that bounced hard or complained may get mail again, say after the customer
fixed their mailbox. The suppression goes; a record of it, who lifted it, when and why
stays, so a later question ("why did we mail them again?") has an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loket.domain.outgoing import Suppression


@dataclass(frozen=True)
class SuppressionLift:
    suppression: Suppression  # as it was when lifted
    lifted_by: str            # an agent's address, or "cli:<user>" for the command line
    lifted_at: datetime
    note: str = ""
