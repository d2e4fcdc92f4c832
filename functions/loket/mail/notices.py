"""One function per e-mail the portal sends: it gathers the data into a queued mail
(letter()); the dispatcher renders it with compose() (render_mail) and sends it."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import TYPE_CHECKING

from loket.domain.attachments import describe_size
from loket.domain.tickets import Ticket
from loket.domain.outgoing import OutgoingMail
from loket.mail.compose import compose, letter, mail_domain

if TYPE_CHECKING:
    from loket.services.context import Services

log = logging.getLogger(__name__)
RECEIPT_SUGGESTIONS = 3


def thread_root(services: "Services", number: int) -> str:
    """The Message-ID of a ticket's first e-mail; every later e-mail refers to it."""
    return f"<ticket-{number}@{mail_domain(services.mail_from)}>"


def receipt_email(services: "Services", ticket: Ticket, files=()) -> OutgoingMail:
    """The receipt of a ticket just made, queued at its moment (created_at). Its article
    suggestions are looked up by the dispatcher, when it renders the mail
    (render_mail): a search costs more than the rest of a submit."""
    config = services.config
    data = {
        "vendor": config.vendor,
        "number": ticket.number,
        "subject": ticket.subject,
        "product": config.products[ticket.product].get(ticket.language),
        "status": config.status(ticket.status).label(ticket.language),
        "lookup_url": services.lookup_url(ticket.number, ticket.access_key),
        "suggest_for": {"text": ticket.subject, "product": ticket.product},
        # A follow-up made for information sent on a ticket closed too long ago.
        "follow_up_of": ticket.follow_up_of,
        # The files that came with it, so the customer sees none went missing.
        "files": [{"name": a.name, "size": describe_size(a.size)}
                  for a in files],
    }
    root = thread_root(services, ticket.number)
    return letter("receipt", lang=ticket.language, mail_from=services.mail_from,
                  to=ticket.email, data=data, message_id=root, thread_root=root,
                  ticket=ticket.number, created_at=ticket.created_at)


def render_mail(services: "Services", mail: OutgoingMail) -> EmailMessage:
    """The queued mail as MIME, the same every time it is rendered but for the
    suggestions a receipt asks for (the index may have grown meanwhile)."""
    data = dict(mail.data)
    wanted = data.pop("suggest_for", None)
    if wanted is not None:
        data["suggestions"] = suggestions_for(services, wanted["text"], lang=mail.lang,
                                              product=wanted.get("product"))
    return compose(mail.kind, lang=mail.lang, mail_from=services.mail_from, to=mail.to,
                   data=data, message_id=mail.message_id, thread_root=mail.thread_root,
                   date=mail.created_at)


def suggestions_for(services: "Services", text: str, *, lang: str,
                    product: str | None) -> list[dict[str, str]]:
    """Articles that may answer the ticket, with absolute links, for the receipt.

    They are a courtesy: without an index, or when searching fails, the receipt simply
    goes without them.
    """
    if services.search is None:
        return []
    try:
        # The e-mail lists titles and links only: no snippets to highlight.
        found = services.search.suggest(text, lang=lang, product=product,
                                        limit=RECEIPT_SUGGESTIONS, snippets=False)
    except Exception:
        log.exception("no suggestions for the receipt about %r", text)
        return []
    base = services.base_url.rstrip("/")
    return [{"title": s.title, "url": base + s.url} for s in found]
