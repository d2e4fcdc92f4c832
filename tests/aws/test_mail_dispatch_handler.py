"""The mail dispatcher's Lambda handler: a schedule or a stream record of queued mail
sends what is due; any other event sends nothing."""

from __future__ import annotations

from loket.handlers import mail_dispatch

SCHEDULE = {"source": "aws.events", "detail-type": "Scheduled Event"}
STREAM = {"Records": [{"eventSource": "aws:dynamodb", "eventName": "INSERT",
                       "dynamodb": {"Keys": {"pk": {"S": "MAIL#0123"}, "sk": {"S": "MAIL"}}}}]}


def test_only_a_schedule_or_queued_mail_triggers_it():
    assert mail_dispatch.is_schedule(SCHEDULE)
    assert mail_dispatch.queued_mail(STREAM)
    ticket_insert = {"Records": [{"eventSource": "aws:dynamodb", "dynamodb": {
        "Keys": {"pk": {"S": "TICKET#10001"}, "sk": {"S": "TICKET"}}}}]}
    assert not mail_dispatch.queued_mail(ticket_insert)
    assert mail_dispatch.handle({"source": "aws.s3"}, None) == {
        "sent": 0, "reason": "not a dispatch event"}
