"""Turning domain objects into plain records and back, shared by the store adapters."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from loket.domain.attachments import Attachment, Upload
from loket.domain.tickets import AuthorRole, Message, Ticket

TICKET_COLUMNS = ("number", "access_key", "email", "product", "type", "subject", "fields",
                  "language", "status", "created_at", "updated_at", "version", "due_at",
                  # The workflow's and the SLA clock's state (domain/workflow.py, sla.py).
                  "status_since", "timers_fired", "assignee", "impact", "urgency",
                  "priority", "first_response_at", "sla_used", "sla_since", "sla_breaches",
                  # Accounts (domain/accounts.py).
                  "organization", "warranty", "follow_up_of",
                  # The desk's queues (domain/desk_queues.py).
                  "queue_category", "queue_order")
_MICROSECOND = timedelta(microseconds=1)
# json.dumps(value, sort_keys=True), with one encoder made once rather than one per call.
sorted_json = json.JSONEncoder(sort_keys=True).encode


def ticket_to_record(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number, "access_key": ticket.access_key, "email": ticket.email,
        "product": ticket.product, "type": ticket.type, "subject": ticket.subject,
        "fields": sorted_json(ticket.fields), "language": ticket.language,
        "status": ticket.status, "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at), "version": ticket.version,
        "due_at": utc_iso(ticket.due_at) if ticket.due_at else None,
        "status_since": _moment(ticket.status_since),
        "timers_fired": _json_list(ticket.timers_fired),
        "assignee": ticket.assignee, "impact": ticket.impact, "urgency": ticket.urgency,
        "priority": ticket.priority, "first_response_at": _moment(ticket.first_response_at),
        # Whole microseconds, so the clock survives the round trip exactly.
        "sla_used": ticket.sla_used // _MICROSECOND,
        "sla_since": _moment(ticket.sla_since),
        "sla_breaches": _json_list(ticket.sla_breaches),
        "organization": ticket.organization, "warranty": int(ticket.warranty),
        "follow_up_of": ticket.follow_up_of,
        "queue_category": ticket.queue_category, "queue_order": ticket.queue_order,
    }


def ticket_from_record(rec: dict[str, Any]) -> Ticket:
    return Ticket(
        number=int(rec["number"]), access_key=rec["access_key"], email=rec["email"],
        product=rec["product"], type=rec["type"], subject=rec["subject"],
        fields=json.loads(rec["fields"]), language=rec["language"], status=rec["status"],
        created_at=datetime.fromisoformat(rec["created_at"]),
        updated_at=datetime.fromisoformat(rec["updated_at"]), version=int(rec["version"]),
        due_at=datetime.fromisoformat(rec["due_at"]) if rec.get("due_at") else None,
        # Records written before the workflow existed lack what follows.
        status_since=_parse(rec.get("status_since")),
        timers_fired=tuple(json.loads(rec.get("timers_fired") or "[]")),
        assignee=rec.get("assignee"), impact=rec.get("impact"), urgency=rec.get("urgency"),
        priority=rec.get("priority"), first_response_at=_parse(rec.get("first_response_at")),
        sla_used=int(rec.get("sla_used") or 0) * _MICROSECOND,
        sla_since=_parse(rec.get("sla_since")),
        sla_breaches=tuple(json.loads(rec.get("sla_breaches") or "[]")),
        organization=rec.get("organization"), warranty=bool(rec.get("warranty") or 0),
        follow_up_of=int(rec["follow_up_of"]) if rec.get("follow_up_of") is not None else None,
        queue_category=rec.get("queue_category"), queue_order=rec.get("queue_order"),
    )


def _json_list(values: tuple[str, ...]) -> str:
    return json.dumps(list(values)) if values else "[]"  # Most tickets have none.


def _moment(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# Moments are formatted through small memos. One write formats the same few moments
# again and again (a submission's `now` in its ticket, message, event and mails; the
# rate-limit windows' bounds, the same for an hour), and isoformat costs some 12,000
# instructions in CPython 3.11 where a hit costs under 1,000 (a new moment's first
# hash some 3,500). Both are pure functions of an immutable value: nothing goes stale.
def utc_iso(moment: datetime) -> str:
    """A fixed-width UTC timestamp: such strings sort in time order, which indexes need.
    (Memoized by value: equal instants give the same text, whatever their zone. Not
    for fold=1: Python compares two moments of one tzinfo by their wall time alone, so
    the second 02:30 of a night the clocks go back equals the first, an hour earlier.)"""
    if moment.fold:
        return _utc_text(moment)
    return _utc_text_memo(moment)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


_utc_text_memo = lru_cache(maxsize=256)(_utc_text)


def iso(moment: datetime) -> str:
    """moment.isoformat(), memoized for UTC moments (every clock's): among those, equal
    values format alike. Another zone's moment equals a UTC one yet keeps its offset
    in the text, so it is formatted afresh."""
    if moment.tzinfo is timezone.utc:
        return _utc_isoformat(moment)
    return moment.isoformat()


_utc_isoformat = lru_cache(maxsize=256)(datetime.isoformat)


def message_to_record(message: Message) -> dict[str, Any]:
    record = {"author": message.author, "role": message.role.value, "body": message.body,
              "created_at": iso(message.created_at), "public": message.public}
    if message.attachments:
        # A JSON list, like `fields`: one column (SQLite) or attribute (DynamoDB),
        # left out when there are none.
        record["attachments"] = json.dumps([_attachment_record(a)
                                            for a in message.attachments])
    if message.idempotency_key:
        record["idempotency_key"] = message.idempotency_key
    return record


def message_from_record(rec: dict[str, Any]) -> Message:
    return Message(author=rec["author"], role=AuthorRole(rec["role"]), body=rec["body"],
                   created_at=datetime.fromisoformat(rec["created_at"]),
                   public=bool(rec["public"]),
                   # Messages stored before attachments existed have none.
                   attachments=tuple(Attachment(**a) for a in
                                     json.loads(rec.get("attachments") or "[]")),
                   idempotency_key=rec.get("idempotency_key") or None)


def _attachment_record(attachment: Attachment) -> dict[str, Any]:
    return {"id": attachment.id, "name": attachment.name,
            "content_type": attachment.content_type, "size": attachment.size,
            "key": attachment.key, "thumbnail_key": attachment.thumbnail_key}


UPLOAD_COLUMNS = ("id", "name", "content_type", "size", "created_at", "expires_at",
                  "ticket", "claim_key")


def upload_to_record(upload: Upload) -> dict[str, Any]:
    return {"id": upload.id, "name": upload.name, "content_type": upload.content_type,
            "size": upload.size, "created_at": utc_iso(upload.created_at),
            "expires_at": utc_iso(upload.expires_at), "ticket": upload.ticket,
            "claim_key": upload.claim_key}


def upload_from_record(rec: dict[str, Any]) -> Upload:
    return Upload(id=rec["id"], name=rec["name"], content_type=rec["content_type"],
                  size=int(rec["size"]), created_at=datetime.fromisoformat(rec["created_at"]),
                  expires_at=datetime.fromisoformat(rec["expires_at"]),
                  ticket=int(rec["ticket"]) if rec.get("ticket") is not None else None,
                  claim_key=rec.get("claim_key"))
