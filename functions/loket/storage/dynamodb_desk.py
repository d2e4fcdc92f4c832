"""DynamoDBStore's desk views, their counts and ticket search (storage/desk_queries.py).

The ticket item carries the keys of five sparse GSIs (declared in dynamodb_table.yml,
the one source for serverless.yml and create_table), so a view page is one Query per
product and never a Scan:

| view | index | partition | sort |
| --- | --- | --- | --- |
| a category (new, waiting) | `desk_state_work` / `desk_state_number` | `STATE#<product>#<category>` | `desk_work` / `gsi3sk` |
| an owner (mine, unassigned) | `desk_owner_work` / `desk_owner_number` | `OWNER#<product>#<assignee or "">` (unresolved only) | `desk_work` / `gsi3sk` |
| SLA at risk, all in work order | `desk_work` | `gsi3pk` (`PRODUCT#<product>`) | `desk_work` (`< bound` for SLA) |
| all by number | `gsi3` | `PRODUCT#<product>` | `gsi3sk` |

Counts are a Query with Select=COUNT on the same key condition, stopped at `at_most`:
a read costs units only for the entries it counts (about 1 KB each, 0.5 RCU per 4 KB
eventually consistent), nothing at all when nobody looks. Counters maintained with
every save were the other choice: they cost a read of the old item and a transaction
of 2 to 5 counter updates on every save (the sweeper's too), make one hot item per
product and view, and still could not count *SLA at risk*, which changes with time.

Search reads one index newest first and filters: with words, per product the
`desk_words` index of words items (`TICKET#<n>`/`WORDS`: a string set of the distinct
words of the subject and every message, grown with `ADD` in the transaction that
stores a message, so no read is needed), each hit's ticket then read by GetItem; else
the requester's (`gsi1`) or the organization's (`gsi2`) tickets, or per product the
status's category (`desk_state_number`) or all of them (`gsi3`). A date range stops the
read once past its start (numbers grow with time). The cost is what is read before a
page is full: a filter that few tickets match reads on through the product's index
(O(tickets of the product), in pages up to 1 MB), never a table Scan. An inverted
index (an item per word and ticket) would read only the matches but write one item per
distinct word of every message: see storage/dynamodb.md.
"""

from __future__ import annotations

import heapq
from typing import Any, Iterator, Sequence

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from loket.domain.accounts import email_key
from loket.domain.tickets import Ticket
from loket.storage.desk_queries import (NEWEST, RESOLVED_CATEGORIES, WORK, DeskView,
                                        TicketSearch, created_text, split_work_key,
                                        work_key, words)
from loket.storage.due_kinds import dynamodb_shard
from loket.storage.dynamodb_conditions import lost_condition
from loket.storage.records import ticket_from_record

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
# Distinct words one message adds to its ticket's words item: a pasted log cannot
# grow the item towards DynamoDB's 400 KB.
MAX_WORDS_PER_MESSAGE = 300
WORDS_SK = "WORDS"
DESK_KEYS = ("desk_state", "desk_owner", "desk_work")
GROWTH, MAX_QUERY_LIMIT = 4, 1000


def desk_index_attributes(ticket: Ticket) -> dict[str, Any]:
    """The desk's index keys on the ticket item (see the table above)."""
    attributes: dict[str, Any] = {}
    if ticket.queue_category:
        attributes["desk_state"] = f"STATE#{ticket.product}#{ticket.queue_category}"
        if ticket.queue_category not in RESOLVED_CATEGORIES:
            attributes["desk_owner"] = f"OWNER#{ticket.product}#{ticket.assignee or ''}"
    if ticket.queue_order:
        attributes["desk_work"] = work_key(ticket.queue_order, ticket.number)
    return attributes


def words_write(table: str, ticket: Ticket, texts: list[str]) -> dict[str, Any] | None:
    """The Update (inside the change's transaction) that adds the words of `texts` to the
    ticket's words item, making it if need be; None when they hold no word."""
    found = words(" ".join(texts))[:MAX_WORDS_PER_MESSAGE * max(1, len(texts))]
    if not found:
        return None
    return {"Update": {
        "TableName": table, "Key": _to_item({"pk": f"TICKET#{ticket.number}", "sk": WORDS_SK}),
        "UpdateExpression": "ADD words :words SET words_pk = :pk, words_sk = :sk",
        "ExpressionAttributeValues": _to_item({
            ":words": set(found), ":pk": f"WORDS#{ticket.product}",
            ":sk": f"T#{ticket.number:012d}"})}}


class DynamoDBDesk:
    """Mixed into DynamoDBStore; expects its client and table_name."""

    def desk_view(self, view: DeskView) -> list[Ticket]:
        params = _view_query(self.table_name, view)
        if view.due_by is not None and view.after is not None:
            # One sort-key condition only: BETWEEN takes the cursor itself, dropped here.
            params["Limit"] += 1
        items = self.client.query(**params)["Items"]
        tickets = [ticket_from_record(_from_item(i)) for i in items]
        if view.due_by is not None and view.after is not None:
            tickets = [t for t in tickets if work_key(t.queue_order, t.number) != view.after]
        return tickets[:view.limit + 1]

    def count_desk_view(self, view: DeskView, at_most: int) -> int:
        params = _view_query(self.table_name, DeskView(
            view.product, view.category, view.owner, view.due_by, view.order))
        params.update(Select="COUNT", Limit=at_most)
        counted = 0
        while counted < at_most:
            response = self.client.query(**params)
            counted += response["Count"]
            if "LastEvaluatedKey" not in response:
                break
            params.update(ExclusiveStartKey=response["LastEvaluatedKey"],
                          Limit=at_most - counted)
        return min(counted, at_most)

    def refresh_desk_keys(self, ticket: Ticket, texts: Sequence[str] = ()) -> bool:
        """As SQLiteDesk.refresh_desk_keys: one UpdateItem on the version the keys were
        worked out from (SET the keys, REMOVE the index keys the ticket no longer has),
        then, when `texts` are given, the words item put anew from them."""
        keys = desk_index_attributes(ticket)
        # The category picks the due part (storage/due_kinds.py): its shard follows it.
        shard = dynamodb_shard(ticket) if ticket.due_at is not None else None
        values = {k: v for k, v in {"queue_category": ticket.queue_category,
                                    "queue_order": ticket.queue_order, **keys,
                                    "due_shard": shard}.items()
                  if v is not None}
        gone = [k for k in ("queue_category", "queue_order", *DESK_KEYS) if k not in values]
        names = {f"#{k}": k for k in (*values, *gone)}
        update = "SET " + ", ".join(f"#{k} = :{k}" for k in values) if values else ""
        if gone:
            update += " REMOVE " + ", ".join(f"#{k}" for k in gone)
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_to_item({"pk": f"TICKET#{ticket.number}", "sk": "TICKET"}),
                UpdateExpression=update.strip(), ConditionExpression="#version = :version",
                ExpressionAttributeNames={**names, "#version": "version"},
                ExpressionAttributeValues=_to_item(
                    {**{f":{k}": v for k, v in values.items()}, ":version": ticket.version}))
        except ClientError as error:
            if lost_condition(error):
                return False
            raise
        if texts:  # the ticket's whole text: its words item is made anew, not grown
            self._replace_words(ticket, list(texts))
        return True

    def _replace_words(self, ticket: Ticket, texts: list[str]) -> None:
        key = _to_item({"pk": f"TICKET#{ticket.number}", "sk": WORDS_SK})
        write = words_write(self.table_name, ticket, texts)
        if write is None:
            self.client.delete_item(TableName=self.table_name, Key=key)
            return
        values = write["Update"]["ExpressionAttributeValues"]
        self.client.put_item(TableName=self.table_name, Item={
            **key, "words": values[":words"], "words_pk": values[":pk"],
            "words_sk": values[":sk"]})

    def search_tickets(self, search: TicketSearch) -> list[Ticket]:
        if not search.products:
            return []
        if search.words:
            streams = [self._word_stream(params, search) for params in _words_queries(
                self.table_name, search)]
        else:
            streams = [self._stream(params, search) for params in _search_queries(
                self.table_name, search)]
        found = []
        for ticket in heapq.merge(*streams, key=lambda t: -t.number):
            if found and found[-1].number == ticket.number:
                continue
            found.append(ticket)
            if len(found) > search.limit:
                break
        return found

    def _stream(self, params: dict[str, Any], search: TicketSearch) -> Iterator[Ticket]:
        """The index's tickets that match, newest first."""
        for item in self._pages(params, search.limit + 1):
            ticket = ticket_from_record(_from_item(item))
            if search.created_from and ticket.created_at < search.created_from:
                return
            if _matches(ticket, search):
                yield ticket

    def _word_stream(self, params: dict[str, Any], search: TicketSearch) -> Iterator[Ticket]:
        """The tickets whose words item holds every word (the Query's filter), newest
        first, each read by GetItem and checked against the other criteria."""
        for item in self._pages(params, search.limit + 1):
            ticket = self.get_ticket(int(item["words_sk"]["S"].removeprefix("T#")))
            if ticket is None:
                continue
            if search.created_from and ticket.created_at < search.created_from:
                return
            if _matches(ticket, search):
                yield ticket

    def _pages(self, params: dict[str, Any], first_limit: int) -> Iterator[dict]:
        """The Query's items a page at a time, each page larger than the last while the
        reader asks for more (a filter left too few)."""
        limit = first_limit
        while True:
            response = self.client.query(**params, Limit=limit)
            yield from response["Items"]
            if "LastEvaluatedKey" not in response:
                return
            params = {**params, "ExclusiveStartKey": response["LastEvaluatedKey"]}
            limit = min(limit * GROWTH, MAX_QUERY_LIMIT)


def _view_query(table: str, view: DeskView) -> dict[str, Any]:
    by_work = view.order == WORK
    if view.category is not None:
        index = "desk_state_work" if by_work else "desk_state_number"
        pk_name, pk = "desk_state", f"STATE#{view.product}#{view.category}"
    elif view.owner is not None:
        index = "desk_owner_work" if by_work else "desk_owner_number"
        pk_name, pk = "desk_owner", f"OWNER#{view.product}#{view.owner}"
    else:
        index = "desk_work" if by_work else "gsi3"
        pk_name, pk = "gsi3pk", f"PRODUCT#{view.product}"
    sk_name = "desk_work" if by_work else "gsi3sk"
    condition, values = "#pk = :pk", {":pk": pk}
    if view.due_by is not None and view.after is not None:
        condition += " AND #sk BETWEEN :after AND :bound"
        values.update({":after": view.after, ":bound": view.due_by})
    elif view.due_by is not None:
        condition += " AND #sk < :bound"
        values[":bound"] = view.due_by
    elif view.after is not None:
        condition += f" AND #sk {'<' if view.order == NEWEST else '>'} :after"
        values[":after"] = (_checked_work_key(view.after) if by_work
                            else f"T#{int(view.after):012d}")
    elif not by_work:
        condition += " AND begins_with(#sk, :tickets)"
        values[":tickets"] = "T#"
    return {"TableName": table, "IndexName": index, "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#pk": pk_name,
                                         **({"#sk": sk_name} if "#sk" in condition else {})},
            "ExpressionAttributeValues": _to_item(values),
            "ScanIndexForward": view.order != NEWEST, "Limit": view.limit + 1}


def _checked_work_key(key: str) -> str:
    split_work_key(key)  # ValueError for anything else
    return key


def _search_queries(table: str, search: TicketSearch) -> list[dict[str, Any]]:
    """The Queries whose merged, filtered items answer `search` (see the docstring)."""
    upper = f"T#{search.before:012d}" if search.before is not None else "T#~"
    if search.requester:
        keys = [("gsi1", "gsi1pk", "gsi1sk", f"ACCOUNT#{email_key(search.requester)}")]
    elif search.organization:
        keys = [("gsi2", "gsi2pk", "gsi2sk", f"ORG#{search.organization}")]
    elif search.category:
        keys = [("desk_state_number", "desk_state", "gsi3sk", f"STATE#{p}#{search.category}")
                for p in sorted(search.products)]
    else:
        keys = [("gsi3", "gsi3pk", "gsi3sk", f"PRODUCT#{p}") for p in sorted(search.products)]
    return [{"TableName": table, "IndexName": index,
             "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :lower AND :upper",
             "ExpressionAttributeNames": {"#pk": pk_name, "#sk": sk_name},
             "ExpressionAttributeValues": _to_item({":pk": pk, ":lower": "T#",
                                                    ":upper": upper}),
             "ScanIndexForward": False} for index, pk_name, sk_name, pk in keys]


def _words_queries(table: str, search: TicketSearch) -> list[dict[str, Any]]:
    upper = f"T#{search.before:012d}" if search.before is not None else "T#~"
    names = [f":w{i}" for i in range(len(search.words))]
    return [{"TableName": table, "IndexName": "desk_words",
             "KeyConditionExpression": "words_pk = :pk AND words_sk BETWEEN :lower AND :upper",
             "FilterExpression": " AND ".join(f"contains(words, {n})" for n in names),
             "ExpressionAttributeValues": _to_item({
                 ":pk": f"WORDS#{product}", ":lower": "T#", ":upper": upper,
                 **dict(zip(names, search.words))}),
             "ScanIndexForward": False} for product in sorted(search.products)]


def _matches(ticket: Ticket, search: TicketSearch) -> bool:
    created = created_text(ticket.created_at)
    return (ticket.product in search.products
            and (search.before is None or ticket.number < search.before)
            and (not search.requester or ticket.email.lower() == search.requester.lower())
            and (not search.organization or ticket.organization == search.organization)
            and (not search.status or ticket.status == search.status)
            and (not search.priority or ticket.priority == search.priority)
            and (not search.created_from or created >= created_text(search.created_from))
            and (not search.created_before or created < created_text(search.created_before)))


def _to_item(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
