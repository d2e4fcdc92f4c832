"""Refused mail (domain/refused.py) as a plain record and back, for both stores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from loket.domain.refused import RefusalKind, RefusedMail
from loket.storage.records import utc_iso

REFUSED_COLUMNS = ("id", "received_at", "expires_at", "kind", "reason", "sender", "subject",
                   "message_id", "raw_key", "size", "ticket", "taken_in_at", "taken_in_by")


def refused_to_record(mail: RefusedMail) -> dict[str, Any]:
    return {"id": mail.id, "received_at": utc_iso(mail.received_at),
            "expires_at": utc_iso(mail.expires_at), "kind": mail.kind.value,
            "reason": mail.reason, "sender": mail.sender, "subject": mail.subject,
            "message_id": mail.message_id, "raw_key": mail.raw_key, "size": mail.size,
            "ticket": mail.ticket,
            "taken_in_at": utc_iso(mail.taken_in_at) if mail.taken_in_at else None,
            "taken_in_by": mail.taken_in_by}


def refused_from_record(rec: dict[str, Any]) -> RefusedMail:
    return RefusedMail(
        id=rec["id"], received_at=datetime.fromisoformat(rec["received_at"]),
        expires_at=datetime.fromisoformat(rec["expires_at"]), kind=RefusalKind(rec["kind"]),
        reason=rec["reason"], sender=rec.get("sender") or "",
        subject=rec.get("subject") or "", message_id=rec.get("message_id") or "",
        raw_key=rec.get("raw_key") or None, size=int(rec.get("size") or 0),
        ticket=int(rec["ticket"]) if rec.get("ticket") is not None else None,
        taken_in_at=(datetime.fromisoformat(rec["taken_in_at"])
                     if rec.get("taken_in_at") else None),
        taken_in_by=rec.get("taken_in_by") or None)
