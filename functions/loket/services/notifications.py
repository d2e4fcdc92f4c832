"""Which e-mails a change to a ticket causes. They are queued in the same write as the
change (services/changes.py, sweeper.py, submission.py), so a lost race queues
nothing and a stored change never lacks its e-mail; the dispatcher
(services/mail_dispatch.py) sends them.

The customer hears of every status change (one e-mail per use case, about where the
ticket ended up) and gets every reminder; the product's review board hears what the
workflow's `notify` asks for.
"""

from __future__ import annotations

from typing import Sequence

from loket.domain.outgoing import OutgoingMail
from loket.domain.tickets import Ticket
from loket.domain.workflow import Breached, Change, Reminded, StatusChanged
from loket.mail.notices import receipt_email
from loket.mail.updates import (agent_reply_email, reminder_email, review_board_email,
                                status_email)
from loket.services.agent_notices import new_ticket_notices
from loket.services.context import Services
from loket.services.preferences import wants_email


def mails_for(services: Services, ticket: Ticket, changes: Sequence[Change], *,
              answer: str | None = None, reopened: bool = False,
              files=()) -> list[OutgoingMail]:
    """The e-mails `changes` to `ticket` (as it will be stored) call for; `answer` is
    an agent's public reply, sent to the customer with the status. `reopened`: the
    customer's information opened a finished ticket again; they are always told."""
    moves = [c for c in changes if isinstance(c, StatusChanged)]
    old_status = moves[0].old if moves else None
    mails: list[OutgoingMail] = []
    # The customer's account may turn off the optional e-mails (services/preferences.py);
    # an answer that waits on the customer asks for information and always goes.
    if answer is not None:
        if _asks_customer(services, ticket) or wants_email(services, ticket, "agent-reply"):
            mails.append(agent_reply_email(services, ticket, answer, old_status, files))
    elif _asks_for_answer(changes, moves):
        if wants_email(services, ticket, "reminder"):
            mails.append(reminder_email(services, ticket))
    elif moves and reopened:
        mails.append(status_email(services, ticket, old_status, reopened=True))
    elif moves:
        if wants_email(services, ticket, "status-change"):
            mails.append(status_email(services, ticket, old_status, move=moves[-1]))
    news = services.config.workflow.review_board_news
    if moves and "status-change" in news:
        mails.append(review_board_email(services, ticket, "status-change",
                                        old_status=old_status))
    if "sla-breach" in news:
        mails += [review_board_email(services, ticket, "sla-breach", target=c.target.value)
                  for c in changes if isinstance(c, Breached)]
    return mails


def _asks_customer(services: Services, ticket: Ticket) -> bool:
    from loket.domain.tickets import StatusCategory

    return services.config.status(ticket.status).category is StatusCategory.PENDING


def _asks_for_answer(changes: Sequence[Change], moves: list[StatusChanged]) -> bool:
    """A reminder, or a move that a timer makes with a reminder (its one e-mail both
    says the new status and asks for an answer)."""
    if moves:
        return moves[-1].reminder
    return any(isinstance(c, Reminded) for c in changes)


def new_ticket_mails(services: Services, ticket: Ticket, files=(), *,
                     description: str = "") -> list[OutgoingMail]:
    """The receipt (listing the ticket's `files`, domain/attachments.Attachment), the
    review board's news when the workflow asks for it, and the notices to the board's
    agents who asked for new tickets (#12): one record, expanded by the dispatcher
    (agent_notices.new_ticket_notices), so a submission reads no account."""
    mails = [receipt_email(services, ticket, files)]
    if "new-ticket" in services.config.workflow.review_board_news:
        mails.append(review_board_email(services, ticket, "new-ticket"))
    return mails + [new_ticket_notices(services, ticket, description)]
