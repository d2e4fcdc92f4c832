"""The capacity arithmetic of bench/dynamodb_units.py, which the README's cost table and
storage/dynamodb.md quote: item sizes and the index writes a change costs."""

from __future__ import annotations

from bench.dynamodb_units import index_writes, item_size, read_units, value_size, write_units

INDEXES = {"gsi1": ("gsi1pk", "gsi1sk"), "due": ("due_shard", "due_at")}
TICKET = {"pk": {"S": "TICKET#1"}, "sk": {"S": "TICKET"}, "status": {"S": "open"},
          "gsi1pk": {"S": "ACCOUNT#ann"}, "gsi1sk": {"S": "T#000000000001"}}


def test_item_sizes_follow_dynamodbs_rules():
    assert value_size({"S": "één"}) == 5  # UTF-8 bytes
    assert value_size({"N": "10001"}) == 4  # 5 significant digits: 3 bytes + 1
    assert value_size({"BOOL": True}) == value_size({"NULL": True}) == 1
    assert value_size({"L": [{"S": "ab"}]}) == 3 + 1 + 2
    assert item_size({"pk": {"S": "TICKET#1"}}) == 2 + 8
    assert item_size(None) == 0


def test_units_are_charged_per_started_kilobyte_or_four():
    assert [write_units(n) for n in (0, 1, 1024, 1025)] == [1, 1, 1, 2]
    assert [read_units(n) for n in (0, 4096, 4097)] == [1, 1, 2]


def test_an_index_is_charged_when_an_item_enters_changes_or_leaves_it():
    due = {**TICKET, "due_shard": {"S": "DUE#1"}, "due_at": {"S": "2026-11-27"}}
    moved = {**due, "due_at": {"S": "2026-11-28"}}
    closed = {**TICKET, "status": {"S": "closed"}}
    assert index_writes(INDEXES, None, TICKET) == {"gsi1": 1}  # enters gsi1 only
    assert index_writes(INDEXES, TICKET, due) == {"gsi1": 1, "due": 1}  # changed, enters due
    assert index_writes(INDEXES, due, moved) == {"gsi1": 1, "due": 2}  # due key moves
    assert index_writes(INDEXES, due, closed) == {"gsi1": 1, "due": 1}  # leaves due
    assert index_writes(INDEXES, TICKET, TICKET) == {}  # nothing changed
    assert index_writes(INDEXES, {"pk": {"S": "HIT#x"}}, {"pk": {"S": "HIT#x"}, "n": {"N": "2"}}) == {}
