"""Lifting a suppression: `loket mail unsuppress ADDRESS` and the desk's mail page."""

from __future__ import annotations

import logging

from loket.domain.errors import Refused
from loket.domain.outgoing import address_key
from loket.domain.suppression_lifts import SuppressionLift
from loket.services.context import Services

log = logging.getLogger(__name__)


def lift_suppression(services: Services, address: str, *, by: str,
                     note: str = "") -> SuppressionLift:
    """Let mail go to `address` again, keeping a record of the suppression and of who
    lifted it. Mail that was suppressed stays as it is: `loket mail retry ID` (or the
    desk's retry) sends it, if it is still worth sending."""
    if not address_key(address) or "@" not in address_key(address):
        raise Refused(f"{address!r} is not an e-mail address.", kind="not-an-address",
                      title="Not an e-mail address")
    lift = services.store.lift_suppression(address, lifted_by=by, lifted_at=services.clock.now(),
                                           note=note[:500])
    if lift is None:
        raise Refused(f"{address_key(address)} is not suppressed.", kind="not-suppressed",
                      title="Not suppressed")
    log.info("suppression of %s (%s) lifted by %s", lift.suppression.address,
             lift.suppression.reason, by)
    return lift


def may_lift(services: Services, viewer) -> bool:
    """Lifting is a vendor-wide decision about the sender's reputation (a complaint or
    hard bounce counts against it at SES): only the agents portal.yml names in
    accounts.desk_admins may make it on the desk. The command line is the operator's."""
    from loket.services.desk import is_desk_admin

    return is_desk_admin(services, viewer)
