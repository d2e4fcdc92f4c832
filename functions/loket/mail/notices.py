"""One function per e-mail the portal sends: it gathers the data, compose() renders it."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import TYPE_CHECKING

from loket.domain.tickets import Ticket
from loket.mail.compose import compose, mail_domain

if TYPE_CHECKING:
    from loket.services.context import Services

log = logging.getLogger(__name__)
RECEIPT_SUGGESTIONS = 3


def thread_root(services: "Services", number: int) -> str:
    """The Message-ID of a ticket's first e-mail; every later e-mail refers to it."""
    return f"<ticket-{number}@{mail_domain(services.mail_from)}>"


def receipt_email(services: "Services", ticket: Ticket) -> EmailMessage:
    config = services.config
    data = {
        "vendor": config.vendor,
        "number": ticket.number,
        "subject": ticket.subject,
        "product": config.products[ticket.product].get(ticket.language),
        "status": config.status(ticket.status).label(ticket.language),
        "lookup_url": services.lookup_url(ticket.number, ticket.access_key),
        "suggestions": suggestions_for(services, ticket),
    }
    root = thread_root(services, ticket.number)
    return compose("receipt", lang=ticket.language, mail_from=services.mail_from,
                   to=ticket.email, data=data, message_id=root, thread_root=root)


def suggestions_for(services: "Services", ticket: Ticket) -> list[dict[str, str]]:
    """Articles that may answer the ticket, with absolute links, for the receipt.

    They are a courtesy: without an index, or when searching fails, the receipt simply
    goes without them.
    """
    if services.search is None:
        return []
    try:
        # The e-mail lists titles and links only: no snippets to highlight.
        found = services.search.suggest(ticket.subject, lang=ticket.language,
                                        product=ticket.product, limit=RECEIPT_SUGGESTIONS,
                                        snippets=False)
    except Exception:
        log.exception("no suggestions for the receipt of ticket %s", ticket.number)
        return []
    base = services.base_url.rstrip("/")
    return [{"title": s.title, "url": base + s.url} for s in found]
