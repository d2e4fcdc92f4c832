"""Which e-mails an account gets. The receipt and requests for information always go
out; status changes, agent replies and reminders are each optional."""

from __future__ import annotations

from dataclasses import replace

from loket.domain.accounts import Account, Preferences, email_key
from loket.domain.tickets import Ticket
from loket.services.context import Services

# The kinds of e-mail an account may turn off, and the preference that says so.
OPTIONAL = {"status-change": "status_changes", "agent-reply": "agent_replies",
            "reminder": "reminders"}


def set_preferences(services: Services, account: Account, preferences: Preferences) -> Account:
    account = replace(services.store.get_account(account.email) or account,
                      preferences=preferences)
    services.store.save_account(account)
    return account


def wants_email(services: Services, ticket: Ticket, kind: str) -> bool:
    """Whether the ticket's submitter gets an e-mail of `kind`. Costs one store read,
    only for the optional kinds and only for tickets submitted signed in (they carry
    their organization); anonymous submissions, sweeps of them included, get every
    e-mail and pay nothing."""
    preference = OPTIONAL.get(kind)
    if preference is None or ticket.organization is None:
        return True
    account = services.store.get_account(email_key(ticket.email))
    return account is None or getattr(account.preferences, preference)
