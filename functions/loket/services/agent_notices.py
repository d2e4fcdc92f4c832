"""E-mails to agents about the desk's work (#12), each turned on or off by the agent in
their account settings (domain/accounts.AgentNotices): a new ticket for a product of
their boards, a customer's reply on a ticket assigned to them, an assignment
(services/assignment.py asks `wants_assignments`). They are queued in the same write
as the change that causes them, like every e-mail (services/changes.py).

An agent may answer such an e-mail: the answer becomes their reply on the ticket
(services/agent_mail_in.py). What proves the answer is theirs is the notice's own
Message-ID, which their mail program puts in In-Reply-To and References: it names the
ticket and is signed (HMAC with the portal's secret key) for that ticket and that
agent's address. A customer never sees it, and cannot make one; the thread root every
customer e-mail carries (<ticket-N@...>) and a [#N] subject tag prove nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import replace
from typing import Callable, Iterable, Sequence

from loket.domain.accounts import Account, email_key
from loket.domain.forms import LANGUAGES
from loket.domain.frozen import make
from loket.domain.outgoing import MailState, OutgoingMail
from loket.domain.tickets import Ticket
from loket.mail.compose import letter, mail_domain
from loket.mail.notices import thread_root
from loket.services.context import Services

KIND = "agent-notice"
# A queued record standing for the new-ticket notices of one ticket: expanded by the
# dispatcher (expand_notices), never sent itself.
INTENT = "agent-notices"
# An expansion reads its record again at most this often when it changed meanwhile.
EXPAND_READS = 3
_SIGNED_ID = re.compile(r"^<agent-(\d{1,12})\.([0-9a-f]{12})\.([0-9a-f]{32})@([^<>\s]+)>$",
                        re.IGNORECASE)


# -- which agents hear of what ---------------------------------------------------------

def new_ticket_notices(services: Services, ticket: Ticket, description: str) -> OutgoingMail:
    """The notices of a new ticket to its board's agents who asked for them, as ONE
    queued record (kind INTENT) that the dispatcher expands into an e-mail per agent
    (expand_notices). So a submission reads no account (on DynamoDB a Query of gsi1 on
    every cold and warm submission) and its write does not grow with the board: the
    dispatcher reads the agents when it sends, off the request."""
    # make(OutgoingMail, ...) is OutgoingMail(...) at a fraction of the cost (domain/frozen.py).
    return make(OutgoingMail, dict(
        kind=INTENT, lang="", to=f"agents of {ticket.product}",
        data=_facts(ticket, description, "new-ticket", author=ticket.email),
        created_at=ticket.created_at, message_id="", ticket=ticket.number))


def expand_notices(services: Services, intent: OutgoingMail) -> int:
    """Queue the e-mails `intent` stands for and mark it done (expand_all); how many."""
    return expand_all(services, [intent])


def expand_all(services: Services, intents: Sequence[OutgoingMail], *,
               settle: Callable[[OutgoingMail], object] | None = None) -> int:
    """Queue the e-mails each of `intents` stands for (one per agent of the board who
    asks for new tickets now) and mark each done, in one store call for all of them
    (store.expand_mails: one write on SQLite, a dispatcher's round); how many. The
    agents are read once for all of them.

    With `settle` (the dispatcher's outcomes, stored with its round's others), an intent
    no agent listens to is handed to it done instead: it queues nothing, so it needs
    only the claim to hold (store.update_mails), not its data as claimed.

    The dispatcher delivers at least once, so this may run twice for one intent: each
    e-mail's id and Message-ID come from the intent's id and the agent's address, and
    the store queues an id only once, so a repeat adds no second notice and an agent's
    notice carries the same Message-ID whichever run queued it.

    The notices carry the record's data (the customer's address, the subject, the
    description), so they are queued only while the record is as the dispatcher
    claimed it: an erasure (services/erase.py) that rewrote it since has the record
    read again and the notices made from what it left."""
    agents = services.store.list_agents() if intents else []
    queued = 0
    for _ in range(EXPAND_READS):
        expansions = []
        for intent in intents:
            done, mails = _expansion(services, intent, agents)
            if mails or settle is None:
                expansions.append((done, mails, intent))
            else:
                settle(done)
        made = services.store.expand_mails(expansions) if expansions else []
        queued += sum(len(mails) for (_, mails, _), ok in zip(expansions, made) if ok)
        intents = [again for (_, _, seen), ok in zip(expansions, made) if not ok
                   for again in [_read_again(services, seen)] if again is not None]
        if not intents:
            return queued
    raise RuntimeError(f"mail {intents[0].id} kept changing while it was expanded")


def _expansion(services: Services, intent: OutgoingMail,
               agents: list[Account]) -> tuple[OutgoingMail, list[OutgoingMail]]:
    """The intent done, and the notices it stands for."""
    mails = [_expanded(services, intent, agent, intent.data)
             for agent in _listeners(agents, intent.data["product"])]
    return replace(intent, state=MailState.SENT, attempts=intent.attempts + 1,
                   sent_at=services.clock.now(), next_attempt_at=None, last_error=""), mails


def _read_again(services: Services, intent: OutgoingMail) -> OutgoingMail | None:
    """The record an expansion found changed, as stored now; None when it is not ours
    to expand any more (erased, expanded by another, or claimed again)."""
    stored = services.store.get_mail(intent.id)
    if stored is None or stored.state is not MailState.PENDING or \
            stored.next_attempt_at != intent.next_attempt_at:
        return None
    return stored  # rewritten meanwhile (an erasure): expand what it left


def _expanded(services: Services, intent: OutgoingMail, agent: Account,
              facts: dict) -> OutgoingMail:
    seed = _seed(intent.id, agent.email)  # hashed once: the nonce and the id's tail
    mail = _notice(services, facts, agent, nonce=seed[:12], created_at=intent.created_at)
    return replace(mail, id=_seeded_id(intent.id, seed))


def _seed(intent_id: str, address: str) -> str:
    return hashlib.sha256(f"{intent_id}:{email_key(address)}".encode()).hexdigest()


def notice_id(intent_id: str, address: str) -> str:
    """The id of the notice to `address` expanded from the intent `intent_id`: an
    erasure finds by it (or by its prefix) the notices an expansion queued after it
    read the intent. The intent's time part first, so the notices sort where it did
    (domain/outgoing)."""
    return _seeded_id(intent_id, _seed(intent_id, address))


def _seeded_id(intent_id: str, seed: str) -> str:
    return notice_id_prefix(intent_id) + seed[12:20]


def notice_id_prefix(intent_id: str) -> str:
    """How the id of every notice expanded from the intent `intent_id` begins."""
    return intent_id[:20]


def _listeners(agents: Iterable[Account], product: str) -> list[Account]:
    """Those of `agents` (store.list_agents: one indexed query, never the customers, read
    by the dispatcher) on `product`'s board who asked to hear of new tickets."""
    return [a for a in agents if _on_board(a, product) and a.agent_notices.new_tickets]


def customer_reply_notices(services: Services, ticket: Ticket, text: str,
                           author: str) -> list[OutgoingMail]:
    """To the agent the ticket is assigned to, when they asked for customers' replies
    (`text` by `author`). A team or nobody assigned: no e-mail, and no store read."""
    agent = assigned_agent(services, ticket)
    if agent is None or not agent.agent_notices.customer_replies:
        return []
    return [notice(services, ticket, agent, "customer-reply", text, author=author)]


def wants_assignments(services: Services, address: str) -> bool:
    """Whether an assignee is told: a team's address always, an agent as they chose."""
    account = services.store.get_account(email_key(address))
    return account is None or not account.is_agent or account.agent_notices.assignments


def assigned_agent(services: Services, ticket: Ticket) -> Account | None:
    if not ticket.assignee or "@" not in ticket.assignee:
        return None
    account = services.store.get_account(email_key(ticket.assignee))
    return account if account is not None and _on_board(account, ticket.product) else None


def _on_board(account: Account, product: str) -> bool:
    """An active agent of the product's review board."""
    return account.is_agent and account.active and product in account.products


# -- the e-mail --------------------------------------------------------------------------

def notice(services: Services, ticket: Ticket, agent: Account, event: str,
           text: str, *, author: str = "") -> OutgoingMail:
    return _notice(services, _facts(ticket, text, event, author=author), agent,
                   created_at=services.clock.now())


def _facts(ticket: Ticket, text: str, event: str, *, author: str) -> dict:
    """What a notice says of the ticket, as it is now (an intent keeps it for later).
    `author`: who wrote `text` ("" for the portal's own words), so that erasing a
    person removes the text they wrote and only that (services/erase.py)."""
    return {"event": event, "number": ticket.number, "subject": ticket.subject,
            "customer": ticket.email, "text": text, "author": author,
            "product": ticket.product, "status": ticket.status,
            "priority": ticket.priority}


def _notice(services: Services, facts: dict, agent: Account, *, created_at,
            nonce: str | None = None) -> OutgoingMail:
    config = services.config
    lang = agent.language if agent.language in LANGUAGES else "en"
    number = facts["number"]
    data = {**facts, "vendor": config.vendor,
            "product": config.products[facts["product"]].get(lang),
            "status": config.status(facts["status"]).agent_label(lang),
            "marker": config.accounts.agent_note_marker,
            "can_answer": bool(services.signing_keys()),
            "desk_url": f"{services.base_url.rstrip('/')}/desk/tickets/{number}"}
    return letter(KIND, lang=lang, mail_from=services.mail_from, to=agent.email, data=data,
                  message_id=signed_message_id(services, number, agent.email, nonce),
                  thread_root=thread_root(services, number), ticket=number,
                  created_at=created_at)


def signed_message_id(services: Services, number: int, agent: str,
                      nonce: str | None = None) -> str | None:
    """A Message-ID that names the ticket and is signed for the agent; None without a
    secret key (the e-mail then gets an ordinary one, and answers to it are not taken
    as the agent's). `nonce`: 12 hex digits, random when not given."""
    keys = services.signing_keys()
    if not keys:
        return None
    nonce = nonce or secrets.token_hex(6)
    return (f"<agent-{number}.{nonce}.{_signature(keys[0], number, agent, nonce)}"
            f"@{mail_domain(services.mail_from)}>")


def signed_ticket(services: Services, references: Iterable[str], sender: str) -> int | None:
    """The ticket of a notice to `sender` that these references answer, or None."""
    domain = mail_domain(services.mail_from).lower()
    for reference in references:
        found = _SIGNED_ID.match(reference.strip())
        if not found or found.group(4).lower() != domain:
            continue
        number, nonce, signature = int(found.group(1)), found.group(2), found.group(3).lower()
        if any(hmac.compare_digest(_signature(key, number, sender, nonce), signature)
               for key in services.signing_keys()):
            return number
    return None


def _signature(key: str, number: int, agent: str, nonce: str) -> str:
    message = f"agent-notice:{number}:{email_key(agent)}:{nonce}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]
