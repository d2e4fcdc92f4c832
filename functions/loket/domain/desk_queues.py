"""Where a ticket stands in the agents' queues, worked out by the workflow at every step
(like `due_at`) and kept on the ticket, so the stores can index it and a view page or
its count is read from an index, never worked out over every ticket.

- `queue_category`: the category of the ticket's status when it was saved (open,
  pending, ...), except that a ticket no agent has answered yet is "new" while its
  status is new or open: a workflow without a status of category new (the demo's
  reminder-and-close) still has new tickets. The views *New for my boards* and
  *Waiting on customer* are a category; *Mine* and *Unassigned* hold the tickets not
  yet resolved.
- `queue_order`: "what needs work first" as one string that sorts as text: the moment
  the running SLA clock reaches its next target (breached ones first, as that moment
  has passed), then the priority's rank (the policy lists the most urgent first), then
  age. A ticket whose clock stands still (paused, resolved, no SLA) has no SLA moment
  and sorts after every running one, by rank and age.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping

from loket.domain.calendar import BusinessCalendar
from loket.domain.sla import SlaPolicy, SlaTarget
from loket.domain.tickets import RESOLVED, StatusCategory, Ticket

# Sorts after every ISO moment ("2026-..."): the place of a ticket with no SLA moment.
NO_SLA_MOMENT = "~"
UNRANKED = 99
SEPARATOR = "|"


def sla_due(ticket: Ticket, policy: SlaPolicy | None, calendar: BusinessCalendar,
            deadlines: Mapping[SlaTarget, datetime] | None = None) -> datetime | None:
    """When the running clock reaches the next target not yet met (first response until
    the first public answer, then resolution), breached or not; None while it stands
    still or without an SLA. `deadlines`: sla.deadlines(ticket, ...), when the caller
    has them: the same moment, for a target not yet breached."""
    if policy is None or ticket.sla_since is None or ticket.priority not in policy.priorities:
        return None
    target = (SlaTarget.FIRST_RESPONSE if ticket.first_response_at is None
              else SlaTarget.RESOLUTION)
    if deadlines is not None and target in deadlines:
        return deadlines[target]
    left = policy.target(ticket.priority, target, calendar) - ticket.sla_used
    return calendar.add_working_time(ticket.sla_since, left)


def queue_category(ticket: Ticket, category: StatusCategory) -> str:
    """The ticket's category for the desk's views (see the module's docstring)."""
    unanswered = ticket.first_response_at is None and category is StatusCategory.OPEN
    return StatusCategory.NEW.value if unanswered else category.value


def queue_order(ticket: Ticket, category: StatusCategory, policy: SlaPolicy | None,
                calendar: BusinessCalendar,
                deadlines: Mapping[SlaTarget, datetime] | None = None) -> str:
    """The ticket's place in "what needs work first" (see the module's docstring)."""
    due = None if category in RESOLVED else sla_due(ticket, policy, calendar, deadlines)
    ranks = list(policy.priorities) if policy is not None else []
    rank = ranks.index(ticket.priority) if ticket.priority in ranks else UNRANKED
    return SEPARATOR.join((order_moment(due) if due else NO_SLA_MOMENT, f"{rank:02d}",
                           order_moment(ticket.created_at)))


def order_moment(moment: datetime) -> str:
    """A fixed-width UTC moment: such strings sort in time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def at_risk_bound(until: datetime) -> str:
    """The queue_order every ticket whose SLA moment is at or before `until` sorts
    below: the range the *SLA at risk and breached* view reads from an index."""
    return order_moment(until) + SEPARATOR + "~"
