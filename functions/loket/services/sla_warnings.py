"""Warning agents that a ticket is about to breach its SLA (#12), from the sweeper.

Each sweep asks the due index for the tickets due within the next
`accounts.sla_warning_minutes` (a ticket's due moment is never later than its SLA
deadlines, so every ticket whose deadline comes that soon is among them): the cost is
the tickets near a deadline, never all tickets. A ticket whose running SLA deadline
falls in that window is warned about once per deadline: an atomic store counter named
after the ticket, the target and the deadline takes it (a deadline that moves, after a
pause, is warned about again). Who hears: the agent it is assigned to, or while it is
unassigned every agent of its product's board, each as they chose in their settings
(AgentNotices.sla_warnings).

The warning changes no ticket, so it is queued on its own (store.enqueue_mail) after
the counter is taken: a crash in between loses a warning rather than sending two.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from loket.domain.accounts import Account
from loket.domain.tickets import Ticket
from loket.services.agent_notices import assigned_agent, notice
from loket.services.context import Services

log = logging.getLogger(__name__)
# The most tickets one sweep looks at for warnings: the nearest deadlines first.
BATCH = 500
TEXT = {
    "en": "The {target} target is breached at {at} (in {minutes} minutes) unless "
          "someone acts first.",
    "nl": "Het doel {target} wordt overschreden op {at} (over {minutes} minuten), tenzij "
          "iemand eerst iets doet.",
    "de": "Das Ziel {target} wird am {at} (in {minutes} Minuten) verfehlt, wenn niemand "
          "vorher handelt.",
}


def warn_before_breach(services: Services, now: datetime) -> int:
    """Queue the warnings due at `now`; returns how many went out."""
    minutes = services.config.accounts.sla_warning_minutes
    workflow = services.config.workflow
    if not minutes or workflow.sla is None:
        return 0
    window_end = now + timedelta(minutes=minutes)
    board: list[Account] | None = None
    sent = 0
    for ticket in services.store.due_tickets(window_end, limit=BATCH):
        for target, at in workflow.sla_deadlines(ticket).items():
            if not now < at <= window_end:
                continue
            if board is None and not _assigned(ticket):
                board = services.store.list_agents()  # Once per sweep, when needed.
            sent += _warn(services, ticket, target.value, at, now, board or [])
    return sent


def _assigned(ticket: Ticket) -> bool:
    return bool(ticket.assignee and "@" in ticket.assignee)


def _warn(services: Services, ticket: Ticket, target: str, at: datetime, now: datetime,
          board: list[Account]) -> int:
    agents = _recipients(services, ticket, board)
    if not agents:
        return 0
    name = f"sla-warned:{ticket.number}:{target}:{at.isoformat()}"
    if services.store.add_to_counter(name, 1, at_most=1) is None:
        return 0  # Warned already.
    minutes = max(1, int((at - now).total_seconds() // 60))
    mails = [notice(services, ticket, agent, "sla-warning",
                    _text(services, agent.language, target, at, minutes)) for agent in agents]
    services.store.enqueue_mail(mails)
    log.info("ticket %s: %s due at %s, warned %s", ticket.number, target, at.isoformat(),
             ", ".join(a.email for a in agents))
    return len(mails)


def _recipients(services: Services, ticket: Ticket, board: list[Account]) -> list[Account]:
    if _assigned(ticket):
        agent = assigned_agent(services, ticket)
        return [agent] if agent is not None and agent.agent_notices.sla_warnings else []
    return [a for a in board if a.is_agent and a.active and ticket.product in a.products
            and a.agent_notices.sla_warnings]


def _text(services: Services, lang: str, target: str, at: datetime, minutes: int) -> str:
    """In the agent's language, the moment in the business calendar's zone."""
    local = at.astimezone(services.config.workflow.calendar.zone)
    return TEXT.get(lang, TEXT["en"]).format(target=target.replace("-", " "),
                                             at=f"{local:%Y-%m-%d %H:%M} {local.tzname()}",
                                             minutes=minutes)
