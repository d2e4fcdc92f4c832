"""Rating the help: good or bad with a comment, once, when the ticket is solved.

Customers rate on the ticket page, or from the e-mail that says the ticket is solved:
its link carries a signed, dated token (no sign-in needed) and opens a page; only the
form on that page stores the rating, because mail gateways open links on their own.
The token works for `accounts.rating_window_days` after the e-mail went out.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone

from loket.domain.access_keys import same_secret
from loket.domain.accounts import Rating
from loket.domain.errors import (AlreadyExists, FieldError, TicketNotFound,
                                 TransitionRefused, ValidationFailed)
from loket.domain.text import multi_line
from loket.domain.tickets import StatusCategory, Ticket
from loket.services.context import Services

RATEABLE = frozenset({StatusCategory.SOLVED, StatusCategory.CLOSED})
MAX_COMMENT = 2000
EMAIL_LINK = "e-mail link"
# number.issued.signature: a ticket number and a Unix time in range, 32 hex digits.
_LINK_TOKEN = re.compile(r"(?P<number>[1-9][0-9]{0,17})\.(?P<issued>[0-9]{1,11})"
                         r"\.(?P<signature>[0-9a-f]{32})", re.ASCII)


def rate(services: Services, ticket: Ticket, rating: object, comment: object, *,
         by: str) -> Rating:
    """Store the rating; refused before the ticket is solved (409), after it has one
    (409), or with bad input (422)."""
    errors = []
    if rating not in ("good", "bad"):
        errors.append(FieldError("rating", "must be good or bad"))
    if comment is not None and not isinstance(comment, str):
        errors.append(FieldError("comment", "must be text"))
    comment = multi_line(comment) if isinstance(comment, str) else ""
    if len(comment) > MAX_COMMENT:
        errors.append(FieldError("comment", f"must be at most {MAX_COMMENT} characters"))
    if errors:
        raise ValidationFailed(errors)
    if services.config.status(ticket.status).category not in RATEABLE:
        raise TransitionRefused("rate", ticket.status)
    stored = Rating(ticket=ticket.number, good=rating == "good", comment=comment.strip(),
                    created_at=services.clock.now(), by=by)
    if not services.store.rate_ticket(stored):
        raise AlreadyExists(f"ticket {ticket.number} was rated already")
    return stored


def rating_link(services: Services, ticket: Ticket) -> str:
    issued = int(services.clock.now().timestamp())
    # Without a key the link is still made, and never accepted (as a wrong one).
    key = (services.signing_keys() or ("",))[0]
    token = f"{ticket.number}.{issued}.{_signature(key, ticket.number, issued)}"
    return f"{services.base_url.rstrip('/')}/portal/ratings/{token}?lang={ticket.language}"


def ticket_of_rating_link(services: Services, token: str) -> Ticket:
    """The ticket a rating link is for, while the link is valid; TicketNotFound else."""
    # The shape first: whatever else arrives (other digits, huge numbers, any text)
    # answers as a wrong signature does.
    link = _LINK_TOKEN.fullmatch(token)
    if link is None:
        raise TicketNotFound(0)
    number, issued = int(link["number"]), int(link["issued"])
    # Any key still accepted: a link signed before the key changed keeps working.
    if not any(same_secret(_signature(key, number, issued), link["signature"])
               for key in services.signing_keys()):
        raise TicketNotFound(number)
    sent = datetime.fromtimestamp(issued, tz=timezone.utc)
    window = timedelta(days=services.config.accounts.rating_window_days)
    if not sent <= services.clock.now() < sent + window:
        raise TicketNotFound(number)
    ticket = services.store.get_ticket(number)
    if ticket is None:
        raise TicketNotFound(number)
    return ticket


def _signature(key: str, number: int, issued: int) -> str:
    message = f"rating:{number}:{issued}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]
