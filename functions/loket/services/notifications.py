"""Telling people what happened to a ticket, after the change is stored.

The customer hears of every status change (one e-mail per use case, about where the
ticket ended up) and gets every reminder; the product's review board hears what the
workflow's `notify` asks for. Mail is sent only after the store took the change, so
a lost race never sends anything; a mail that fails is logged and the change stands.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Callable, Sequence

from loket.domain.tickets import Ticket
from loket.domain.workflow import Breached, Change, Reminded, StatusChanged
from loket.mail.updates import (agent_reply_email, reminder_email, review_board_email,
                                status_email)
from loket.services.context import Services
from loket.services.preferences import wants_email

log = logging.getLogger(__name__)


def tell(services: Services, ticket: Ticket, changes: Sequence[Change], *,
         answer: str | None = None) -> int:
    """Send the e-mails `changes` call for; `answer` is an agent's public reply, sent
    to the customer with the status. Returns how many e-mails went out."""
    moves = [c for c in changes if isinstance(c, StatusChanged)]
    old_status = moves[0].old if moves else None
    letters: list[Callable[[], EmailMessage]] = []
    # The customer's account may turn off the optional e-mails (services/preferences.py);
    # an answer that waits on the customer asks for information and always goes.
    if answer is not None:
        if _asks_customer(services, ticket) or wants_email(services, ticket, "agent-reply"):
            letters.append(lambda: agent_reply_email(services, ticket, answer, old_status))
    elif _asks_for_answer(changes, moves):
        if wants_email(services, ticket, "reminder"):
            letters.append(lambda: reminder_email(services, ticket))
    elif moves:
        if wants_email(services, ticket, "status-change"):
            letters.append(lambda: status_email(services, ticket, old_status))
    news = services.config.workflow.review_board_news
    if moves and "status-change" in news:
        letters.append(lambda: review_board_email(services, ticket, "status-change",
                                                  old_status=old_status))
    if "sla-breach" in news:
        letters += [lambda c=c: review_board_email(services, ticket, "sla-breach",
                                                   target=c.target.value)
                    for c in changes if isinstance(c, Breached)]
    return sum(_send(services, ticket, letter) for letter in letters)


def _asks_customer(services: Services, ticket: Ticket) -> bool:
    from loket.domain.tickets import StatusCategory

    return services.config.status(ticket.status).category is StatusCategory.PENDING


def _asks_for_answer(changes: Sequence[Change], moves: list[StatusChanged]) -> bool:
    """A reminder, or a move that a timer makes with a reminder (its one e-mail both
    says the new status and asks for an answer)."""
    if moves:
        return moves[-1].reminder
    return any(isinstance(c, Reminded) for c in changes)


def tell_board_of_new_ticket(services: Services, ticket: Ticket) -> None:
    if "new-ticket" in services.config.workflow.review_board_news:
        _send(services, ticket, lambda: review_board_email(services, ticket, "new-ticket"))


def _send(services: Services, ticket: Ticket, letter: Callable[[], EmailMessage]) -> bool:
    try:
        services.mail.send(letter())
        return True
    except Exception:  # The change is stored; a lost e-mail must not undo or fail it.
        log.exception("an e-mail about ticket %s could not be sent", ticket.number)
        return False
