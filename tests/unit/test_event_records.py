"""Event records: the detail's JSON text, memoized for details of strings only, is
json.dumps(detail, sort_keys=True) whatever the values."""

import json

import pytest

from loket.storage.event_records import detail_json

DETAILS = [{}, {"status": "open"}, {"new": "b", "old": "a"}, {"old": "a", "new": "b"},
           {"comment": "caf\u00e9 \"quoted\" \\ \n", "rating": "good"},
           {"count": 1}, {"count": True}, {"count": 1.0}, {"zero": -0.0}, {"zero": 0.0},
           {"other": None}, {"list": ["a", 1]}, {"nested": {"b": "1", "a": "2"}}]


@pytest.mark.parametrize("detail", DETAILS, ids=repr)
def test_detail_json_is_sorted_json(detail):
    for _ in range(2):  # The second time from the memo, where one applies.
        assert detail_json(detail) == json.dumps(detail, sort_keys=True)


def test_equal_values_of_other_types_keep_their_own_text():
    assert [detail_json({"n": v}) for v in (1, True, 1.0)] == ['{"n": 1}', '{"n": true}',
                                                                '{"n": 1.0}']
