"""Support plans: who may submit, and how many tickets an organization's plan includes.

Every signed-in submission counts against its organization's counter for the period
(plan:<org>:<2026-11> or <2026>), with one conditional store call, so two submissions
never both take the plan's last ticket. A ticket an agent marks as warranty gives its
count back. Beyond the plan a ticket is accepted with a notice, or refused, as the
plan says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from loket.domain.accounts import OverPlan
from loket.domain.errors import Refused, SignInRequired
from loket.domain.events import Actor
from loket.domain.tickets import AuthorRole, Ticket
from loket.domain.workflow import Step
from loket.services.changes import change_ticket
from loket.services.context import Services
from loket.services.sessions import Viewer


def check_may_submit(services: Services, viewer: Viewer | None) -> None:
    """Refuse a submission the configuration or the organization's plan does not allow."""
    if viewer is None:
        if services.config.accounts.required_to_submit:
            raise SignInRequired()
        return
    org = viewer.organization
    if org is not None and org.plan.contacts_only and not viewer.account.support_contact:
        raise Refused("Only your organization's support contacts may submit tickets. Ask one "
                      "of them to submit it, or ask to be made a support contact.",
                      kind="support-contacts-only")


@dataclass(eq=False)
class PlanCharge:
    """One ticket counted against a plan; given back if no ticket was made after all."""

    counter: str | None
    notice: str | None = None

    def give_back(self, services: Services) -> None:
        if self.counter is not None:
            services.store.add_to_counter(self.counter, -1)
            self.counter = None


def charge_plan(services: Services, viewer: Viewer | None) -> PlanCharge:
    """Count a new ticket against the viewer's organization's plan, or refuse it."""
    if viewer is None or viewer.organization is None:
        return PlanCharge(None)
    org = viewer.organization
    plan = org.plan
    now = services.clock.now()
    counter = plan_counter(org.id, plan.period_of(now))
    if plan.tickets is None:
        services.store.add_to_counter(counter, 1)
        return PlanCharge(counter)
    limit = plan.tickets if plan.over_limit is OverPlan.REFUSE else None
    used = services.store.add_to_counter(counter, 1, at_most=limit)
    included = f"Your organization's plan includes {plan.tickets} tickets a {plan.period}"
    if used is None:
        raise Refused(f"{included}, and all of them are used. Contact your account manager "
                      "to extend the plan; warranty tickets do not count.",
                      kind="plan-exhausted", title="Plan used up")
    if used > plan.tickets:
        return PlanCharge(counter, notice=f"{included}; this is ticket {used}, beyond the "
                                          "plan, and may be charged separately.")
    return PlanCharge(counter)


def tickets_used(services: Services, org_id: str, period: str) -> int:
    return services.store.counter_value(plan_counter(org_id, period))


def plan_counter(org_id: str, period: str) -> str:
    return f"plan:{org_id}:{period}"


def mark_warranty(services: Services, viewer: Viewer, number: int, warranty: bool) -> Ticket:
    """An agent marks a ticket as warranty (its count goes back to the plan) or not."""
    if not viewer.account.is_agent:
        raise Refused("Only agents mark tickets as warranty.", kind="agents-only")
    before: list[bool] = []

    def step(ticket: Ticket, now) -> Step:
        before.append(ticket.warranty)  # The last read is the one stored over.
        return Step(replace(ticket, warranty=warranty, updated_at=now))

    ticket = change_ticket(services, number, step,
                           by=Actor(viewer.account.email, AuthorRole.AGENT)).ticket
    if ticket.organization and before[-1] != warranty:
        org = services.store.get_organization(ticket.organization)
        if org is not None:
            counter = plan_counter(org.id, org.plan.period_of(ticket.created_at))
            services.store.add_to_counter(counter, -1 if warranty else 1)
    return ticket
