"""records.sorted_json and flat_json, and the SQLite mail row's record, give exactly the
text json.dumps gives: stored records must read alike whichever code wrote them."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from loket.domain.outgoing import MailState, OutgoingMail
from loket.storage.mail_records import mail_from_record, mail_row, mail_to_record
from loket.storage.records import flat_json, sorted_json

NOW = datetime(2026, 12, 2, 11, 39, 5, 511258, tzinfo=timezone.utc)
VALUES = [
    {}, [], "plain", 'quo"te \\ back', None, 0, -3, 2**70, 1.5, float("inf"), True,
    {"b": 1, "a": [1, 2.25, None, False], "é": "ünïcødé ✓ 😀", "q": 'say "hi"\n\t\x00'},
    {"nested": {"z": {"y": ["x", {"w": "\u2028"}]}}, "": ""},
]


@pytest.mark.parametrize("value", VALUES)
def test_sorted_json_is_json_dumps_sorted(value):
    assert sorted_json(value) == json.dumps(value, sort_keys=True)


def test_sorted_json_refuses_what_json_dumps_refuses():
    looped: list = []
    looped.append(looped)
    for bad in ({"a": object()}, looped, {(1, 2): "tuple key"}):
        with pytest.raises((TypeError, ValueError)) as ours:
            sorted_json(bad)
        with pytest.raises((TypeError, ValueError)) as theirs:
            json.dumps(bad, sort_keys=True)
        assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("record", [
    {}, {"a": None}, {"id": "x", "n": 5, "s": 'q"u\\o\nte é 😀', "none": None, "big": -2**80},
    # Other types, and keys needing escapes or holding '%', go through json.dumps.
    {"b": True}, {"f": 1.5}, {"l": [1]}, {'k"%s%': "v%"}, {"%": 1, "%%": "%d"},
])
def test_flat_json_is_json_dumps(record):
    assert flat_json(record) == json.dumps(record)


def _mail(**changes):
    mail = OutgoingMail(
        kind="receipt", lang="en", to="ann@example.com",
        data={"subject": 'He said "it broke" \\ again', "ünï": "cødé ✓ 😀", "none": None,
              "n": 10001, "nested": {"b": [1, 2], "a": "x"}, "line": "a\nb\u2028"},
        created_at=NOW, message_id="<ticket-10001@nordwind.example>",
        thread_root="<ticket-10001@nordwind.example>", ticket=10001,
        id="18ed6ce252ece55900003a6fc5b8", state=MailState.PENDING, attempts=0,
        next_attempt_at=NOW, since=NOW, last_error="", sent_at=None)
    for key, value in changes.items():
        object.__setattr__(mail, key, value)
    return mail


@pytest.mark.parametrize("mail", [
    _mail(), _mail(data={}), _mail(thread_root=None, ticket=None, message_id="", lang=""),
    _mail(to='"Ann O\'Neil" <ann@exämple.com>', last_error='550 "no" \\ 😀', attempts=3,
          state=MailState.FAILED, next_attempt_at=None),
    _mail(state=MailState.SENT, sent_at=NOW + timedelta(seconds=3)),
    _mail(created_at=datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))),
])
def test_mail_row_record_is_todays_text(mail):
    row = mail_row(mail)
    assert row["record"] == json.dumps(mail_to_record(mail))
    assert mail_from_record(json.loads(row["record"])) == mail_from_record(
        mail_to_record(mail))
