"""Submitting a ticket: validate, store, then tell the customer."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from loket.domain.errors import FieldError, Refused, ValidationFailed
from loket.domain.frozen import make
from loket.domain.tickets import NewTicket, Ticket
from loket.domain.forms import ATTACHMENTS
from loket.services.attachments import FileBatch, InlineFile, check_files
from loket.services.context import Services
from loket.services.notifications import new_ticket_mails
from loket.services.plans import charge_plan, check_may_submit
from loket.domain.limits import OverLimit
from loket.services.ratelimit import refusal, submission_limits

if TYPE_CHECKING:
    from loket.services.sessions import Viewer

log = logging.getLogger(__name__)

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_CORE = ("email", "product", "type", "subject", "description", "language")


@dataclass(frozen=True, eq=False)
class Receipt:
    ticket: Ticket
    created: bool
    lookup_url: str
    # Said to a signed-in customer whose organization's plan this ticket goes beyond.
    notice: str | None = None


def submit_ticket(services: Services, data: Mapping[str, Any], *, client_address: str,
                  idempotency_key: str | None = None,
                  files: Sequence[InlineFile] = (), viewer: "Viewer | None" = None,
                  follow_up_of: int | None = None, limits: bool = True,
                  taken_by: str | None = None) -> Receipt:
    """Store a new ticket (or find the one this idempotency key made) and send a receipt.

    Files come as upload ids under "attachments" (when the form has that field) or
    inline as `files`; they are stored first, then the ticket that names them. The
    receipt is queued in the ticket's own write and sent by the dispatcher
    (services/mail_dispatch.py): a failing mail server delays it, never the request.

    A signed-in `viewer` submits as their account (its address, whatever the form
    said), only for products they have rights to, counted against their
    organization's plan (services/plans.py).

    `limits=False` when an agent takes in mail that was refused: their decision
    stands in for the rate limit and the rules on who may submit (a plan still counts).
    `taken_by`: the agent who took it on the telephone, the actor of its created event.
    """
    if limits:
        check_may_submit(services, viewer)
    if viewer is not None:
        data = {**data, "email": viewer.account.email}
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise ValidationFailed([FieldError(
            "Idempotency-Key", "must be 1 to 255 visible ASCII characters")])
    clean, batch = _validate(services, data, files, idempotency_key, viewer)
    # What a retry with this key must repeat; without a key nothing is compared.
    fingerprint = "" if idempotency_key is None else _fingerprint(
        {**clean, "attachments": batch.fingerprint} if batch.files else clean)
    # Counted by the store in the ticket's own write, after it looked for the earlier
    # request with this key: a retry (same key, same body) never counts, so it gets its
    # ticket over the limit too, as it would have.
    # One reading of the clock for the whole submission: its limits' windows, the
    # ticket's moment, and (from the ticket) its e-mails' (3.8k instructions a reading).
    now = services.clock.now()
    hits = submission_limits(services, client_address, now) if limits else []
    # make(NewTicket, ...) is NewTicket(...) at a quarter of the cost (domain/frozen.py).
    new = make(NewTicket, dict(
        email=clean["email"], product=clean["product"], type=clean["type"],
        subject=clean["subject"], description=clean["description"],
        fields={k: v for k, v in clean.items() if k not in _CORE},
        language=clean["language"], status=services.config.initial_status,
        created_at=now, attachments=batch.store(services),
        organization=viewer.account.organization if viewer else None,
        follow_up_of=follow_up_of, taken_by=taken_by))
    # The workflow's starting state (priority, SLA clock, first deadline) is stored
    # with the ticket itself, so no ticket ever lacks its timers.
    new = services.config.workflow.start(new)
    try:
        charge = charge_plan(services, viewer)
    except Refused:
        # A retry of a request that was counted: its ticket, not a refusal. Asked only
        # here, so a normal submission costs no extra store call.
        earlier = idempotency_key and services.store.idempotent_ticket(idempotency_key,
                                                                       fingerprint)
        batch.discard(services)  # Refused, or the earlier request's files are its own.
        if not earlier:
            raise
        return Receipt(earlier, False, services.lookup_url(earlier.number, earlier.access_key))
    try:
        # The receipt (and the board's news, and one record for the agents' notices that
        # the dispatcher expands) is queued in the ticket's own write, which reads nothing.
        ticket, created = services.store.create_ticket(
            new, idempotency_key=idempotency_key, fingerprint=fingerprint, hits=hits,
            mails=lambda stored: new_ticket_mails(services, stored, new.attachments,
                                                  description=new.description))
    except OverLimit as over:  # Nothing was written: the files are nobody's.
        charge.give_back(services)
        batch.discard(services)
        raise refusal(over) from None
    except Exception:
        charge.give_back(services)
        raise
    if not created:
        charge.give_back(services)  # A retry: the first request counted it...
        batch.discard(services)  # ...and stored its files: these are nobody's.
    batch.settle(services, ticket.number, idempotency_key)
    return Receipt(ticket, created, services.lookup_url(ticket.number, ticket.access_key),
                   notice=charge.notice if created else None)


def _validate(services: Services, data: Mapping[str, Any], files: Sequence[InlineFile],
              idempotency_key: str | None,
              viewer: "Viewer | None" = None) -> tuple[dict[str, Any], FileBatch]:
    """The clean fields and the checked files, or ValidationFailed naming all that is wrong."""
    form = services.config.form
    errors: list[FieldError] = []
    products = services.config.products if viewer is None else {
        p: name for p, name in services.config.products.items() if p in viewer.rights}
    try:
        clean = form.validate_submission(data, products)
    except ValidationFailed as exc:
        clean, errors = {}, list(exc.errors)
    spec = form.attachments
    upload_ids = data.get(ATTACHMENTS) if spec else None
    batch = check_files(services, upload_ids, files if spec else (), claim_key=idempotency_key)
    errors += batch.errors
    if spec is not None and spec.required and not batch.files and not batch.errors:
        errors.append(FieldError(ATTACHMENTS, "is required"))
    if spec is None and files:
        errors.append(FieldError(ATTACHMENTS, "this form takes no files"))
    if errors:
        raise ValidationFailed(errors)
    return clean, batch


def _fingerprint(clean: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(clean, sort_keys=True).encode()).hexdigest()
