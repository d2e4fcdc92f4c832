"""A sweep run late never closes a ticket before its reminder went out (issue #11,
defect 5): it sends the reminder and postpones the close by the interval the timers
had between them, counted from now; the close e-mail says why; a dry run counts the
e-mails it would send. Preset reminder-and-close, a fixed clock jumped far ahead, on
SQLite and DynamoDB."""

from __future__ import annotations

from datetime import datetime

import pytest

from loket.services.sweeper import sweep
from tests.workflow.conftest import text_of


@pytest.fixture
def desk(make_desk):
    return make_desk("reminder-and-close", "2026-11-30 09:30")


def test_a_sweep_long_overdue_reminds_first_and_closes_a_week_later(desk):
    # Issue #11, defect 5: never closed without the reminder having gone out first.
    number = desk.submit()
    desk.at("2026-12-01 10:00").agent_replies(number, status="waiting-on-customer")
    desk.mails()
    report = desk.at("2026-12-21 08:00").sweep()  # The sweeper was down for three weeks.
    assert desk.status(number) == "waiting-on-customer"
    assert report.actions == [f"#{number}: reminder (remind-after-7-days)"]
    assert [subject for _, subject in desk.mails()] == [
        f"[#{number}] Reminder: we are waiting for your answer - Export to Excel fails"]
    # The close waits the week it had after the reminder, counted from now.
    assert desk.due(number) == datetime(2026, 12, 28, 8, 0)
    assert "Please answer before Monday 28 December 2026, 08:00" in text_of(desk.last_mail())

    assert desk.at("2026-12-28 07:59").sweep().actions == []
    desk.at("2026-12-28 08:00").sweep()
    assert desk.status(number) == "closed"
    assert [subject for _, subject in desk.mails()] == [
        f"[#{number}] Status: Closed - Export to Excel fails"]
    text = text_of(desk.last_mail())
    assert ("We did not hear from you since Tuesday 1 December 2026, 10:00; we sent a "
            "reminder on Monday 21 December 2026, 08:00.") in " ".join(text.split())


def test_the_close_mail_says_why_after_an_ordinary_reminder(desk):
    number = desk.submit()
    desk.at("2026-12-01 10:00").agent_replies(number, status="waiting-on-customer")
    desk.at("2026-12-08 10:00").sweep()
    desk.at("2026-12-15 10:00").sweep()
    assert desk.status(number) == "closed"
    assert ("We did not hear from you since Tuesday 1 December 2026, 10:00; we sent a "
            "reminder on Tuesday 8 December 2026, 10:00.") in " ".join(
        text_of(desk.last_mail()).split())


def test_a_dry_run_counts_the_e_mails_it_would_send(desk):
    number = desk.submit()
    desk.at("2026-12-01 10:00").agent_replies(number, status="waiting-on-customer")
    desk.mails()
    desk.at("2027-03-01 08:00")
    report = sweep(desk.services, dry_run=True)
    assert report.emails == 1 and report.changed == 1
    assert desk.mails() == [] and desk.status(number) == "waiting-on-customer"
