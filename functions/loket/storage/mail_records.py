"""Queued mail and suppressions as plain records, shared by the store adapters."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from loket.domain.outgoing import MailState, OutgoingMail, Suppression
from loket.storage.records import sorted_json, utc_iso

if TYPE_CHECKING:
    from loket.domain.suppression_lifts import SuppressionLift

# Columns the SQLite table keeps beside the JSON record, to look mail up by.
MAIL_COLUMNS = ("id", "ticket", "state", "next_attempt_at", "created_at", "record")


def mail_to_record(mail: OutgoingMail) -> dict[str, Any]:
    """Everything about the mail. A sent mail keeps its envelope (kind, address,
    Message-ID, when) but not its data: that may hold a one-time link, and the store
    should not keep secrets longer than it must."""
    state = mail.state
    data = None if state is MailState.SENT else mail.data
    later, since, sent_at = mail.next_attempt_at, mail.since, mail.sent_at
    # Every new ticket queues two of these: the moments inline rather than through
    # _iso, and the state's text as the member holds it (_value_): on CPython 3.11
    # the `value` property costs some 1,900 instructions a read, _value_ some 100.
    return {"id": mail.id, "kind": mail.kind, "lang": mail.lang, "to": mail.to,
            "data": sorted_json(data), "created_at": utc_iso(mail.created_at),
            "message_id": mail.message_id, "thread_root": mail.thread_root,
            "ticket": mail.ticket, "state": state._value_, "attempts": mail.attempts,
            "next_attempt_at": utc_iso(later) if later is not None else None,
            "since": utc_iso(since) if since is not None else None,
            "last_error": mail.last_error,
            "sent_at": utc_iso(sent_at) if sent_at is not None else None}


def mail_from_record(record: dict[str, Any]) -> OutgoingMail:
    return OutgoingMail(
        id=record["id"], kind=record["kind"], lang=record["lang"], to=record["to"],
        data=json.loads(record["data"]) or {}, created_at=_moment(record["created_at"]),
        message_id=record["message_id"], thread_root=record.get("thread_root"),
        ticket=int(record["ticket"]) if record.get("ticket") is not None else None,
        state=MailState(record["state"]), attempts=int(record["attempts"]),
        next_attempt_at=_moment(record.get("next_attempt_at")),
        since=_moment(record.get("since")), last_error=record.get("last_error") or "",
        sent_at=_moment(record.get("sent_at")))


def mail_row(mail: OutgoingMail) -> dict[str, Any]:
    """The SQLite row: the looked-up columns plus the whole record as JSON."""
    record = mail_to_record(mail)
    return {"id": record["id"], "ticket": record["ticket"], "state": record["state"],
            "next_attempt_at": (record["next_attempt_at"]
                                if mail.state is MailState.PENDING else None),
            "created_at": record["created_at"], "record": json.dumps(record)}


def suppression_to_record(suppression: Suppression) -> dict[str, Any]:
    return {"address": suppression.address, "reason": suppression.reason,
            "detail": suppression.detail, "created_at": utc_iso(suppression.created_at)}


def suppression_from_record(record: dict[str, Any]) -> Suppression:
    return Suppression(address=record["address"], reason=record["reason"],
                       detail=record.get("detail") or "",
                       created_at=_moment(record["created_at"]))


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def lift_to_record(lift: SuppressionLift) -> dict[str, Any]:
    return {**suppression_to_record(lift.suppression), "lifted_by": lift.lifted_by,
            "lifted_at": utc_iso(lift.lifted_at), "note": lift.note}


def lift_from_record(record: dict[str, Any]) -> SuppressionLift:
    # Imported with the first lift read: the stores' mail queue, which every cold
    # submission loads, needs no lifts.
    from loket.domain.suppression_lifts import SuppressionLift

    return SuppressionLift(suppression=suppression_from_record(record),
                           lifted_by=record["lifted_by"],
                           lifted_at=_moment(record["lifted_at"]), note=record.get("note") or "")
