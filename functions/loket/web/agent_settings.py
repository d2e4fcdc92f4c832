"""The agent's part of the account page (/portal/account): which desk e-mails they get
(domain/accounts.AgentNotices; services/agent_notices.py sends them)."""

from __future__ import annotations

from dataclasses import fields, replace

from loket.domain.accounts import Account, AgentNotices
from loket.services.context import Services

LABELS = {
    "en": {"legend": "E-mails about the desk's work",
           "help": "Answer such an e-mail to reply to the customer, or start your answer "
                   "with {marker} for an internal note.",
           "new_tickets": "A new ticket for a product of my boards",
           "customer_replies": "A customer's reply on a ticket assigned to me",
           "assignments": "A ticket assigned to me",
           "sla_warnings": "A ticket of mine (or unassigned, of my boards) about to breach "
                           "its SLA"},
    "nl": {"legend": "E-mails over het werk in de desk",
           "help": "Beantwoord zo'n e-mail om de klant te antwoorden, of begin uw antwoord "
                   "met {marker} voor een interne notitie.",
           "new_tickets": "Een nieuwe melding voor een product van mijn teams",
           "customer_replies": "Een antwoord van een klant op een melding die aan mij is "
                               "toegewezen",
           "assignments": "Een melding die aan mij is toegewezen",
           "sla_warnings": "Een melding van mij (of zonder eigenaar, van mijn teams) die "
                           "bijna de SLA overschrijdt"},
    "de": {"legend": "E-Mails zur Arbeit im Desk",
           "help": "Antworten Sie auf eine solche E-Mail, um dem Kunden zu antworten, oder "
                   "beginnen Sie Ihre Antwort mit {marker} für eine interne Notiz.",
           "new_tickets": "Ein neues Ticket für ein Produkt meiner Teams",
           "customer_replies": "Eine Kundenantwort auf ein mir zugewiesenes Ticket",
           "assignments": "Ein mir zugewiesenes Ticket",
           "sla_warnings": "Ein Ticket von mir (oder ohne Zuständigen, meiner Teams), das "
                           "bald das SLA verfehlt"},
}
# The choices the page offers.
CHOICES = ("new_tickets", "customer_replies", "assignments", "sla_warnings")


def agent_choices(account: Account, lang: str, marker: str) -> dict | None:
    """What the page shows an agent: labels, marker and current choices; None for a
    customer."""
    if not account.is_agent:
        return None
    labels = LABELS.get(lang, LABELS["en"])
    return {"labels": labels, "help": labels["help"].format(marker=marker), "choices": [(name, labels[name],
                                           getattr(account.agent_notices, name))
                                          for name in CHOICES]}


def save_agent_choices(services: Services, account: Account, form) -> None:
    """Store the agent's choices from the posted form (a box not sent is off)."""
    if not account.is_agent:
        return
    current = services.store.get_account(account.email) or account
    chosen = {f.name: form.get(f.name) == "on" for f in fields(AgentNotices)
              if f.name in CHOICES}
    services.store.save_account(replace(current, agent_notices=replace(
        current.agent_notices, **chosen)))
