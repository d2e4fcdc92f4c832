"""The store's record shortcuts give the records the code before them gave (#13): the
moment memos (records.utc_iso, records.iso), the inline formatting and enum text of
mail and event records, and the memoized JSON of string-only event details. Each is
compared with a reference oracle, the pre-optimisation code (4333025^) kept here, over
moments of many zones (folds, gaps, second and day ends) met in every order, so that a
memo entry shared by two values that differ would show."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from loket.domain.events import EventKind, TicketEvent
from loket.domain.outgoing import MailState, OutgoingMail
from loket.domain.tickets import AuthorRole, Message
from loket.storage.event_records import event_to_record
from loket.storage.mail_records import mail_row, mail_to_record
from loket.storage.records import iso, message_to_record, utc_iso

FAST = settings(derandomize=True, max_examples=300, deadline=None)
RECORDS = settings(derandomize=True, max_examples=120, deadline=None)

ZONES = [timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30)),
         ZoneInfo("UTC"), ZoneInfo("Europe/Amsterdam"), ZoneInfo("America/New_York"),
         ZoneInfo("Australia/Lord_Howe")]  # half-hour DST steps


# -- reference oracles: the code before the shortcuts (git show 4333025^:...) ------------

def reference_utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def reference_mail_to_record(mail: OutgoingMail) -> dict:
    def _iso(moment):
        return reference_utc_iso(moment) if moment is not None else None

    data = None if mail.state is MailState.SENT else mail.data
    return {"id": mail.id, "kind": mail.kind, "lang": mail.lang, "to": mail.to,
            "data": json.dumps(data, sort_keys=True),
            "created_at": reference_utc_iso(mail.created_at),
            "message_id": mail.message_id, "thread_root": mail.thread_root,
            "ticket": mail.ticket, "state": mail.state.value, "attempts": mail.attempts,
            "next_attempt_at": _iso(mail.next_attempt_at), "since": _iso(mail.since),
            "last_error": mail.last_error, "sent_at": _iso(mail.sent_at)}


def reference_mail_row(mail: OutgoingMail) -> dict:
    record = reference_mail_to_record(mail)
    return {"id": mail.id, "ticket": mail.ticket, "state": mail.state.value,
            "next_attempt_at": (record["next_attempt_at"]
                                if mail.state is MailState.PENDING else None),
            "created_at": record["created_at"], "record": json.dumps(record)}


def reference_event_to_record(event: TicketEvent) -> dict:
    return {"ticket": event.ticket, "key": event.key, "at": event.at.isoformat(),
            "by": event.by, "role": event.role.value, "kind": event.kind.value,
            "detail": json.dumps(dict(event.detail), sort_keys=True)}


# -- moments ------------------------------------------------------------------------------

# Near the ends of a second, a day and a year, and the nights clocks change.
EDGES = [datetime(2026, 12, 31, 23, 59, 59, 999999), datetime(2027, 1, 1),
         datetime(2026, 10, 25, 2, 30), datetime(2026, 11, 1, 1, 30),
         datetime(2026, 3, 29, 2, 30), datetime(2026, 4, 5, 1, 45)]


@st.composite
def moments(draw) -> datetime:
    if draw(st.booleans()):
        wall = draw(st.sampled_from(EDGES)) + timedelta(
            microseconds=draw(st.integers(-2, 2)), hours=draw(st.sampled_from([0, 0, 1, -1])))
    else:
        wall = draw(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1)))
    return wall.replace(tzinfo=draw(st.sampled_from(ZONES)), fold=draw(st.integers(0, 1)))


# A few moments met in every order: equal instants of other zones and folds share a
# memo entry when the memo keys them alike.
moment_runs = st.lists(moments(), min_size=1, max_size=12)


@FAST
@given(moment_runs)
def test_utc_iso_is_each_moment_s_instant_in_utc(run):
    for moment in run + run[::-1]:
        assert utc_iso(moment) == reference_utc_iso(moment), (moment, moment.fold)


@FAST
@given(moment_runs)
def test_iso_is_each_moment_s_own_isoformat(run):
    for moment in run + [m.astimezone(timezone.utc) for m in run] + run[::-1]:
        assert iso(moment) == moment.isoformat(), moment


def test_the_second_hour_of_a_night_the_clocks_go_back_is_an_hour_later():
    # Python compares two moments of one tzinfo by wall time, fold aside: the memo
    # must not give the first 02:30's text to the second.
    first = datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    second = first.replace(fold=1)
    assert first == second
    assert [utc_iso(first), utc_iso(second)] == ["2026-10-25T00:30:00.000000+00:00",
                                                  "2026-10-25T01:30:00.000000+00:00"]


# -- records ------------------------------------------------------------------------------

texts = st.text(max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([1.0, -0.0, 0.0, 1.5])
    | texts, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner,
                                                                          max_size=3),
    max_leaves=8)


@st.composite
def mails(draw) -> OutgoingMail:
    optional = st.none() | moments()
    return OutgoingMail(
        kind=draw(st.sampled_from(["receipt", "agent-notices", "reply"])), lang="en",
        to=draw(texts), data=draw(st.dictionaries(texts, json_values, max_size=4)),
        created_at=draw(moments()), message_id=draw(texts),
        thread_root=draw(st.none() | texts), ticket=draw(st.none() | st.integers(1, 10**6)),
        id=draw(texts), state=draw(st.sampled_from(list(MailState))),
        attempts=draw(st.integers(0, 9)), next_attempt_at=draw(optional),
        since=draw(optional), last_error=draw(texts), sent_at=draw(optional))


@RECORDS
@given(st.lists(mails(), min_size=1, max_size=4))
def test_mail_records_and_rows_are_the_reference_s(batch):
    for mail in batch + batch[::-1]:
        assert mail_to_record(mail) == reference_mail_to_record(mail)
        assert mail_row(mail) == reference_mail_row(mail)


# Details are short strings mostly, but JSON-able values of any kind are written
# as they come (1, True and 1.0 equal one another yet write differently).
details = st.dictionaries(st.sampled_from(["status", "old", "new", "n", "other"]),
                          texts | st.sampled_from(["open", "1"]) | json_values, max_size=3)


@st.composite
def events(draw) -> TicketEvent:
    return TicketEvent(ticket=draw(st.integers(1, 10**6)), at=draw(moments()), by=draw(texts),
                       role=draw(st.sampled_from(list(AuthorRole))),
                       kind=draw(st.sampled_from(list(EventKind))), detail=draw(details),
                       key=draw(st.text(min_size=1, max_size=6)))


@RECORDS
@given(st.lists(events(), min_size=1, max_size=6))
def test_event_records_are_the_reference_s(batch):
    for event in batch + batch[::-1]:
        assert event_to_record(event) == reference_event_to_record(event)


@FAST
@given(st.lists(moments(), min_size=1, max_size=6), st.booleans())
def test_message_records_format_moments_as_isoformat(run, public):
    for moment in run + run[::-1]:
        message = Message(author="ann@example.com", role=AuthorRole.CUSTOMER, body="b",
                          created_at=moment, public=public)
        assert message_to_record(message)["created_at"] == moment.isoformat()
