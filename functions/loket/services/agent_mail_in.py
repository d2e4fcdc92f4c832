"""An agent's e-mailed answer to a notice about a ticket (#12): it lands on the ticket as
their public reply, or as an internal note when it starts with
`accounts.agent_note_marker` ("#note").

It is taken as the agent's only when all of these hold:
- it answers one of our e-mails to that agent: its In-Reply-To or References hold the
  notice's signed Message-ID, made for this ticket and this sender's address
  (services/agent_notices.py). The public thread root and a [#N] subject tag are not
  enough: every customer has those, so a customer can never post as an agent;
- the sender is an active agent account on the ticket's product board now;
- the receiving server's DMARC verdict does not fail (a failing one is held for an
  agent, as a customer's reply would be).
Anything else goes the usual way (services/mail_in.py).
"""

from __future__ import annotations

import re

from loket.domain.accounts import Account, email_key
from loket.domain.errors import MessageAlreadyStored, TicketNotFound, ValidationFailed
from loket.domain.refused import RefusalKind
from loket.mail.inbound import InboundMail
from loket.services.agent_notices import signed_ticket
from loket.services.context import Services
from loket.services.replies import MAX_REPLY_LENGTH
from loket.services.status import agent_reply


def agent_answer(services: Services, mail: InboundMail, key: str, *, by_agent: bool = False):
    """The MailDecision for an agent's answer to a notice, or None when `mail` is not
    one (it is then taken in as any other mail)."""
    from loket.services.mail_in import MailDecision

    number = signed_ticket(services, mail.references, mail.sender) if mail.sender else None
    if number is None:
        return None
    agent = services.store.get_account(email_key(mail.sender))
    ticket = services.store.get_ticket(number)
    if not _may_answer(agent, ticket):
        return MailDecision("refused", number, f"{mail.sender} answered a notice about "
                            f"#{number} but is no longer an agent of its product",
                            kind=RefusalKind.NOT_ALLOWED)
    if mail.verdicts.dmarc_failed and not by_agent:
        return MailDecision("refused", number, f"the sender {mail.sender} fails DMARC, so "
                            "the agent's answer may be forged: held for an agent",
                            kind=RefusalKind.DMARC)
    return _post(services, mail, key, agent, number)


def _may_answer(agent: Account | None, ticket) -> bool:
    return (agent is not None and agent.is_agent and agent.active and ticket is not None
            and ticket.product in agent.products)


def _post(services: Services, mail: InboundMail, key: str, agent: Account, number: int):
    from loket.services.mail_in import MailDecision, _files, _fit, _noted

    files, notes = _files(services, mail, ticket=number)
    text, internal = split_marker(mail.reply_text, services.config.accounts.agent_note_marker)
    body = _fit(_noted(text, notes), MAX_REPLY_LENGTH)
    what = "internal note" if internal else "agent's reply"
    try:
        agent_reply(services, number, body, agent=agent.email, public=not internal,
                    files=files, idempotency_key=key)
    except MessageAlreadyStored:
        return MailDecision("reply", number, f"{what}, already taken in: a re-delivered mail")
    except ValidationFailed as exc:
        return MailDecision("refused", number, f"the agent's answer is refused: {exc}",
                            kind=RefusalKind.EMPTY if not body else RefusalKind.FORM)
    except TicketNotFound:
        return MailDecision("refused", number, "the ticket is gone",
                            kind=RefusalKind.NOT_ALLOWED)
    return MailDecision("reply", number, f"{what} by {agent.email}")


def split_marker(text: str, marker: str) -> tuple[str, bool]:
    """The text without a leading `marker` (any case, on its own or before the first
    words), and whether it was there."""
    found = re.match(rf"\s*{re.escape(marker)}(?![\w-])[ \t]*:?\s*", text, re.IGNORECASE)
    if not found:
        return text.strip(), False
    return text[found.end():].strip(), True
