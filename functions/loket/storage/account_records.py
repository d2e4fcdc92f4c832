"""Accounts, organizations, sessions, one-time links and ratings as plain records and
back, shared by both stores (SQLite keeps organizations and accounts as one JSON
column; DynamoDB as item attributes)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from loket.domain.accounts import (Account, AgentNotices, OneTimeToken, Organization, OverPlan,
                                   Preferences, Rating, Role, SecondFactor, Session, SupportPlan,
                                   TokenPurpose, Visibility)
from loket.storage.records import utc_iso


@dataclass(frozen=True)
class TicketQuery:
    """A page of the tickets one account may see, newest first (or oldest first).

    `account`, `organization` or `product` chooses the index: the account's own tickets,
    all of the organization's, or all of one product's (the agent desk's queue).
    `products` limits them to the viewer's rights (always given: an empty set finds
    nothing). `statuses` and `text` (a case-insensitive part of the
    subject) narrow them; `before` / `after` continue from a cursor (a ticket number).
    """

    products: frozenset[str]
    account: str | None = None
    organization: str | None = None
    product: str | None = None
    statuses: frozenset[str] | None = None
    text: str | None = None
    limit: int = 25
    newest_first: bool = True
    after: int | None = None  # continue past this number, in the order asked

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.account, self.organization, self.product)) != 1:
            raise ValueError("a TicketQuery names an account, an organization or a product")
        if not 1 <= self.limit <= 100:
            raise ValueError("a page holds 1 to 100 tickets")


def fold(text: str) -> str:
    """How subjects and search text are compared: case-insensitive, Unicode-wide."""
    return text.casefold()


def organization_to_record(org: Organization) -> dict[str, Any]:
    plan = org.plan
    return {"id": org.id, "name": org.name, "created_at": utc_iso(org.created_at),
            "products": sorted(org.products), "visibility": org.visibility.value,
            "plan_tickets": plan.tickets, "plan_period": plan.period,
            "plan_over_limit": plan.over_limit.value, "plan_contacts_only": plan.contacts_only}


def organization_from_record(rec: dict[str, Any]) -> Organization:
    tickets = rec.get("plan_tickets")
    plan = SupportPlan(tickets=int(tickets) if tickets is not None else None,
                       period=rec["plan_period"], over_limit=OverPlan(rec["plan_over_limit"]),
                       contacts_only=bool(rec["plan_contacts_only"]))
    return Organization(id=rec["id"], name=rec["name"],
                        created_at=datetime.fromisoformat(rec["created_at"]),
                        products=frozenset(rec.get("products") or ()),
                        visibility=Visibility(rec["visibility"]), plan=plan)


def account_to_record(account: Account) -> dict[str, Any]:
    prefs = account.preferences
    return {"email": account.email, "role": account.role.value,
            "created_at": utc_iso(account.created_at), "organization": account.organization,
            "products": sorted(account.products), "first_name": account.first_name,
            "last_name": account.last_name, "password_hash": account.password_hash,
            "support_contact": account.support_contact, "language": account.language,
            "preferences": {"status_changes": prefs.status_changes,
                            "agent_replies": prefs.agent_replies,
                            "reminders": prefs.reminders},
            "session_epoch": account.session_epoch,
            "agent_notices": asdict(account.agent_notices),
            "second_factor": _second_factor_record(account.second_factor)}


def _second_factor_record(factor: SecondFactor | None) -> dict[str, Any] | None:
    if factor is None:
        return None
    return {"secret": factor.secret, "confirmed": factor.confirmed,
            "recovery": [list(pair) for pair in factor.recovery]}


def _second_factor(rec: dict[str, Any] | None) -> SecondFactor | None:
    if not rec:
        return None
    return SecondFactor(secret=rec["secret"], confirmed=bool(rec["confirmed"]),
                        recovery=tuple((str(i), str(h)) for i, h in rec.get("recovery") or ()))


def account_from_record(rec: dict[str, Any]) -> Account:
    prefs = rec.get("preferences") or {}
    return Account(email=rec["email"], role=Role(rec["role"]),
                   created_at=datetime.fromisoformat(rec["created_at"]),
                   organization=rec.get("organization"),
                   products=frozenset(rec.get("products") or ()),
                   first_name=rec.get("first_name") or "", last_name=rec.get("last_name") or "",
                   password_hash=rec.get("password_hash"),
                   support_contact=bool(rec.get("support_contact")),
                   language=rec.get("language") or "en",
                   preferences=Preferences(**{k: bool(v) for k, v in prefs.items()}),
                   session_epoch=int(rec.get("session_epoch") or 0),
                   agent_notices=AgentNotices(**{k: bool(v) for k, v in
                                                 (rec.get("agent_notices") or {}).items()}),
                   second_factor=_second_factor(rec.get("second_factor")))


def token_to_record(token: OneTimeToken) -> dict[str, Any]:
    return {"hash": token.hash, "purpose": token.purpose.value, "email": token.email,
            "created_at": utc_iso(token.created_at), "expires_at": utc_iso(token.expires_at)}


def token_from_record(rec: dict[str, Any]) -> OneTimeToken:
    return OneTimeToken(hash=rec["hash"], purpose=TokenPurpose(rec["purpose"]),
                        email=rec["email"], created_at=datetime.fromisoformat(rec["created_at"]),
                        expires_at=datetime.fromisoformat(rec["expires_at"]))


def session_to_record(session: Session) -> dict[str, Any]:
    return {"hash": session.hash, "email": session.email, "csrf": session.csrf,
            "epoch": session.epoch, "created_at": utc_iso(session.created_at),
            "expires_at": utc_iso(session.expires_at)}


def session_from_record(rec: dict[str, Any]) -> Session:
    return Session(hash=rec["hash"], email=rec["email"], csrf=rec["csrf"],
                   epoch=int(rec["epoch"]), created_at=datetime.fromisoformat(rec["created_at"]),
                   expires_at=datetime.fromisoformat(rec["expires_at"]))


def rating_to_record(rating: Rating) -> dict[str, Any]:
    return {"ticket": rating.ticket, "good": int(rating.good), "comment": rating.comment,
            "created_at": utc_iso(rating.created_at), "rated_by": rating.by}


def rating_from_record(rec: dict[str, Any]) -> Rating:
    return Rating(ticket=int(rec["ticket"]), good=bool(int(rec["good"])), comment=rec["comment"],
                  created_at=datetime.fromisoformat(rec["created_at"]), by=rec["rated_by"])
