"""Reference oracles: code as it stood before #13's shortcuts (4333025^), kept so the
property tests can compare the shortcuts with it (test_calendar, test_workflow,
test_frozen)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from loket.domain.calendar import BusinessCalendar
from loket.domain.tickets import NewTicket, Ticket


def add_working_time(calendar: BusinessCalendar, start: datetime,
                     amount: timedelta) -> datetime:
    """One walk over the opening periods per amount (now add_working_times, one walk)."""
    start = start.astimezone(timezone.utc)
    if amount <= timedelta(0):
        return start
    for opens, closes in calendar._open_periods(start):
        begin = max(opens, start)
        if amount <= closes - begin:
            return begin + amount
        amount -= closes - begin
    raise ValueError("the business calendar has no working time left")


def ticket_from_new(number: int, new: NewTicket) -> Ticket:
    """Ticket.from_new through the dataclass constructor (now frozen.make)."""
    return Ticket(number=number, access_key=new.access_key, email=new.email,
                  product=new.product, type=new.type, subject=new.subject,
                  fields=dict(new.fields), language=new.language, status=new.status,
                  created_at=new.created_at, updated_at=new.created_at,
                  due_at=new.due_at, status_since=new.created_at, impact=new.impact,
                  urgency=new.urgency, priority=new.priority, sla_since=new.sla_since,
                  organization=new.organization, follow_up_of=new.follow_up_of,
                  queue_category=new.queue_category, queue_order=new.queue_order)
