"""DynamoDBStore's step of an erasure (services/erase.py's `erase_chunk`): one page of
a Scan, item by item.

Each item read is handled on its own, so a step needs no Query of the table (the sweep
function that runs the desk's erase jobs may Query only the `due` and `gsi1` indexes):
- an item whose key names the person (their account, suppression and its lifts, rate
  counters, presence at the desk) or that is theirs alone (mail to them, their refused
  mail, sessions, one-time links) is deleted;
- any other item that names them is put back rewritten: address and names become the
  placeholder; a message of theirs loses its files (and, with `messages`, its text and
  the words it added to the ticket's search words), their ticket its subject, their
  rating its comment. A ticket item is put under its version check (a change made
  meanwhile is read again and rewritten), as every ticket write is.
The cursor is the Scan's LastEvaluatedKey as JSON. Run again, a page finds nothing more
to do: what was rewritten no longer names the person and what was deleted is gone.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from loket.storage.desk_queries import words
from loket.storage.dynamodb import MESSAGE_PREFIX, _from_item, _to_item
from loket.storage.dynamodb_erase_jobs import is_job_item

SESSIONS = "sessions, links and counters"
# Items that are the person's alone when this attribute is their address.
_OWNER = {"MAIL": "to", "REFUSED": "sender", "SESSION": "email", "TOKEN": "email"}
_KINDS = {"ACCOUNT": "accounts", "MAIL": "mail", "SUPPRESS": "suppressions",
          "REFUSED": "refused", "UPLOAD": "uploads", "ORG": "organizations",
          "SESSION": SESSIONS, "TOKEN": SESSIONS, "HIT": SESSIONS, "TICKET": "tickets",
          "RATING": "ratings", "WORDS": "words"}
TICKET_ATTEMPTS = 3


def erase_page(adapter, eraser, cursor: str | None, limit: int) -> str | None:
    """Erase what one Scan page of at most `limit` items holds of the person."""
    request = {"TableName": adapter.table_name, "Limit": limit, "ConsistentRead": True}
    if cursor:
        request["ExclusiveStartKey"] = json.loads(cursor)
    page = adapter.client.scan(**request)
    _Page(adapter, eraser).erase([_from_item(item) for item in page["Items"]])
    last = page.get("LastEvaluatedKey")
    return json.dumps(last, sort_keys=True) if last else None


class _Page:
    def __init__(self, adapter, eraser):
        self.adapter = adapter
        self.eraser = eraser
        self.deletes: list[dict[str, Any]] = []
        self.puts: list[dict[str, Any]] = []
        self.blob_keys: list[str] = []
        self.gone_words: dict[str, set[str]] = {}   # ticket pk -> words of removed text

    def erase(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            if not is_job_item(item) and self.eraser.mentions(item):
                self._plan(item)
        # Order matters for a crash: words and files first, while the items that name
        # them are still there to find again; then the items.
        for pk, gone in self.gone_words.items():
            self._drop_words(pk, gone)
        self.eraser.drop_blobs(self.blob_keys)
        for item in self.puts:
            self._put(item)
        for item in self.deletes:
            # One DeleteItem each (the person's own items are few): the sweep function
            # that runs erase jobs may BatchWriteItem only in ticket partitions.
            self.adapter.client.delete_item(TableName=self.adapter.table_name,
                                            Key=_to_item({"pk": item["pk"], "sk": item["sk"]}))
        counts = self.eraser.erasure
        for item in self.deletes:
            self.eraser.count(counts.removed, _kind(item))
        for item in self.puts:
            self.eraser.count(counts.rewritten, _kind(item))

    def _plan(self, item: dict[str, Any]) -> None:
        if self._is_theirs(item):
            self.deletes.append(item)
            if item["sk"] == "REFUSED" and item.get("raw_key"):
                self.blob_keys.append(item["raw_key"])
            return
        item = self._without_their_words(item)
        item = self.eraser.scrub.value(item)
        self.puts.append(item)

    def _is_theirs(self, item: dict[str, Any]) -> bool:
        if self.eraser.scrub.mentions_text(f"{item['pk']} {item['sk']}"):
            return True
        owner = _OWNER.get(item["sk"])
        return owner is not None and self.eraser.is_theirs(item.get(owner))

    def _without_their_words(self, item: dict[str, Any]) -> dict[str, Any]:
        """A message, ticket or rating of theirs, as services/erase.py's rules say."""
        eraser, sk = self.eraser, item["sk"]
        if sk.startswith(MESSAGE_PREFIX) and eraser.is_theirs(item.get("author")):
            for attachment in json.loads(item.get("attachments") or "[]"):
                self.blob_keys += filter(None, (attachment.get("key"),
                                                attachment.get("thumbnail_key")))
            item = {k: v for k, v in item.items() if k != "attachments"}
            if eraser.messages:
                self._forget_words(item["pk"], item.get("body", ""))
                item["body"] = eraser.removed_text
        elif sk == "TICKET" and eraser.messages and eraser.is_theirs(item.get("email")):
            self._forget_words(item["pk"], item.get("subject", ""))
            item = {**item, "subject": eraser.removed_text}
        elif sk == "RATING" and eraser.messages and eraser.is_theirs(item.get("rated_by")):
            item = {**item, "comment": ""}
        elif sk == "WORDS" and item["pk"] in self.gone_words:
            left = set(item.get("words") or ()) - self.gone_words[item["pk"]]
            # DynamoDB keeps no empty set: no words left is no attribute.
            item = {k: v for k, v in item.items() if k != "words"}
            if left:
                item["words"] = left
        return item

    def _forget_words(self, pk: str, text: str) -> None:
        self.gone_words.setdefault(pk, set()).update(words(text))

    def _drop_words(self, pk: str, gone: set[str]) -> None:
        """Their removed text's words leave the ticket's search words (others who wrote
        the same word lose it too: search is a convenience, the erasure is not)."""
        try:
            self.adapter.client.update_item(
                TableName=self.adapter.table_name, Key=_to_item({"pk": pk, "sk": "WORDS"}),
                UpdateExpression="DELETE words :gone", ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=_to_item({":gone": gone}))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def _put(self, item: dict[str, Any]) -> None:
        client, table = self.adapter.client, self.adapter.table_name
        for _ in range(TICKET_ATTEMPTS):
            if item["sk"] != "TICKET":
                client.put_item(TableName=table, Item=_to_item(item))
                return
            try:
                client.put_item(TableName=table, Item=_to_item(item),
                                ConditionExpression="version = :v",
                                ExpressionAttributeValues=_to_item({":v": item["version"]}))
                return
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != \
                        "ConditionalCheckFailedException":
                    raise
            fresh = client.get_item(TableName=table, ConsistentRead=True,
                                    Key=_to_item({"pk": item["pk"], "sk": "TICKET"})).get("Item")
            if fresh is None:
                return
            item = self.eraser.scrub.value(self._without_their_words(_from_item(fresh)))
        raise RuntimeError(f"{item['pk']} kept changing while being erased; run it again")


def _kind(item: dict[str, Any]) -> str:
    sk = item["sk"]
    if sk.startswith(MESSAGE_PREFIX):
        return "messages"
    for prefix, kind in (("LIFT#", "suppression_lifts"), ("EVT#", "events"),
                         ("PRESENCE#", "presence"), ("KEY#", "message keys")):
        if sk.startswith(prefix):
            return kind
    return _KINDS.get(sk, sk.split("#")[0].lower())
