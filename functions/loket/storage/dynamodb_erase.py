"""DynamoDBStore's step of an erasure (services/erase.py's `erase_chunk`): one page of
a Scan, item by item.

Each item read is handled on its own, so a step needs no Query of the table but of a
suppression's partition for the lifts made meanwhile (the sweep function that runs the
desk's erase jobs may Query the table only there and in tickets' partitions):
- an item whose key names the person (their account, suppression and its lifts, rate
  counters, presence at the desk) or that is theirs alone (mail to them, their refused
  mail, sessions, one-time links) is deleted;
- any other item that names them is put back rewritten: address and names become the
  placeholder; a message of theirs loses its files (and, with `messages`, its text and
  the words it added to the ticket's search words), their ticket its subject, their
  rating its comment, a waiting mail about their ticket the subject and text in its
  data. A ticket item is put under its version check, as every ticket write is; any
  other item (mail to someone else, an account, the ticket's search words) is updated
  in what changed only, on condition that the item is still as the Scan read it.
  Either way a change made meanwhile (a dispatcher's attempt, a reply's words) fails
  the condition, and the item is read again and rewritten: it is never lost, and the
  erasure still ends with nothing of the person.
The cursor is the Scan's LastEvaluatedKey as JSON. Run again, a page finds nothing more
to do: what was rewritten no longer names the person and what was deleted is gone.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from loket.domain.outgoing import address_key
from loket.storage.desk_queries import words
from loket.storage.dynamodb import MESSAGE_PREFIX, _from_item, _to_item
from loket.storage.dynamodb_conditions import lost_condition
from loket.storage.dynamodb_erase_jobs import is_job_item

SESSIONS = "sessions, links and counters"
# Items that are the person's alone when this attribute is their address.
_OWNER = {"MAIL": "to", "REFUSED": "sender", "SESSION": "email", "TOKEN": "email"}
_KINDS = {"ACCOUNT": "accounts", "MAIL": "mail", "SUPPRESS": "suppressions",
          "REFUSED": "refused", "UPLOAD": "uploads", "ORG": "organizations",
          "SESSION": SESSIONS, "TOKEN": SESSIONS, "HIT": SESSIONS, "TICKET": "tickets",
          "RATING": "ratings", "WORDS": "words"}
# Writes of one item that lost a race, read again each time, before the chunk fails
# (and the sweep runs it again later).
ATTEMPTS = 3
_KEY = ("pk", "sk")


def erase_page(adapter, eraser, cursor: str | None, limit: int) -> str | None:
    """Erase what one Scan page of at most `limit` items holds of the person."""
    request = {"TableName": adapter.table_name, "Limit": limit, "ConsistentRead": True}
    if cursor:
        request["ExclusiveStartKey"] = json.loads(cursor)
    page = adapter.client.scan(**request)
    last = page.get("LastEvaluatedKey")
    _Page(adapter, eraser).erase([_from_item(item) for item in page["Items"]],
                                 last_page=not last)
    return json.dumps(last, sort_keys=True) if last else None


class _Page:
    def __init__(self, adapter, eraser):
        self.adapter = adapter
        self.eraser = eraser
        self.deletes: list[dict[str, Any]] = []
        self.puts: list[dict[str, Any]] = []
        self.seen: dict[tuple[str, str], dict[str, Any]] = {}  # key -> the item as read
        self.blob_keys: list[str] = []
        self.gone_words: dict[str, set[str]] = {}   # ticket pk -> words of removed text

    def erase(self, items: list[dict[str, Any]], *, last_page: bool = False) -> None:
        for item in items:
            if not is_job_item(item) and self.eraser.mentions(item):
                self._plan(item)
        # Order matters for a crash: words and files first, while the items that name
        # them are still there to find again; then the items. A words item this page
        # rewrites itself (it names them) loses their words in that write, the first.
        self.puts.sort(key=lambda item: item["sk"] != "WORDS")
        rewritten = {item["pk"] for item in self.puts if item["sk"] == "WORDS"}
        for pk, gone in self.gone_words.items():
            if pk not in rewritten:
                self._drop_words(pk, gone)
        self.eraser.drop_blobs(self.blob_keys)
        for item in self.puts:
            self._put(item)
        self._rewrite_notices()
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
        self._erase_lifts(last_page)

    def _erase_lifts(self, last_page: bool) -> None:
        """The lifts of the suppressions this page read that named the person (and,
        on the last page, of the person's own): a lift made after the Scan read the
        suppression copied it, the person in it, beside it in its partition, where the
        Scan had passed (LIFT# sorts before SUPPRESS). Read by a Query of the partition,
        after this page's writes (a lift made later copies the suppression rewritten),
        and erased like any item the Scan finds."""
        pks = {item["pk"] for item in [*self.seen.values(), *self.deletes]
               if item["sk"] == "SUPPRESS"}
        if last_page:
            pks.add(f"SUPPRESS#{address_key(self.eraser.address)}")
        for pk in sorted(pks):
            for lift in self._lifts(pk):
                if not self.eraser.mentions(lift):
                    continue
                if self._is_theirs(lift):
                    self.adapter.client.delete_item(
                        TableName=self.adapter.table_name,
                        Key=_to_item({"pk": lift["pk"], "sk": lift["sk"]}))
                    self.eraser.count(self.eraser.erasure.removed, "suppression_lifts")
                    continue
                self.seen[(lift["pk"], lift["sk"])] = lift
                self._put(self.eraser.scrub.value(lift))
                self.eraser.count(self.eraser.erasure.rewritten, "suppression_lifts")

    def _lifts(self, pk: str) -> list[dict[str, Any]]:
        pages = self.adapter.client.get_paginator("query").paginate(
            TableName=self.adapter.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :lift)",
            ExpressionAttributeValues=_to_item({":pk": pk, ":lift": "LIFT#"}))
        return [_from_item(item) for page in pages for item in page["Items"]]

    def _plan(self, item: dict[str, Any]) -> None:
        if self._is_theirs(item):
            self.deletes.append(item)
            if item["sk"] == "REFUSED" and item.get("raw_key"):
                self.blob_keys.append(item["raw_key"])
            return
        self.seen[(item["pk"], item["sk"])] = item
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
        elif sk == "MAIL":  # a mail to someone else about their ticket
            item = eraser.without_mail_words(item)
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
            if not lost_condition(error):
                raise

    def _rewrite_notices(self) -> None:
        """The agents' notices expanded from an intent this page read: an expansion
        stored after the Scan passed their keys copied the person's data, and the
        Scan does not come back. Each is read by its id (services/agent_notices.py)
        and erased like any item the Scan finds."""
        mails = [item for key, item in self.seen.items() if key[1] == "MAIL"]
        agents = [a.email for a in self.adapter.store.list_agents()] if mails else []
        ids = [i for item in mails for i in self.eraser.notice_ids(item, agents)]
        for mail_id in dict.fromkeys(ids + self._waiting_notice_ids(mails)):
            found = self.adapter.client.get_item(
                TableName=self.adapter.table_name, ConsistentRead=True,
                Key=_to_item({"pk": f"MAIL#{mail_id}", "sk": "MAIL"})).get("Item")
            notice = _from_item(found) if found else None
            if notice is None or not self.eraser.mentions(notice):
                continue
            if self._is_theirs(notice):
                self.deletes.append(notice)  # deleted with the page's others
                continue
            self.seen[(notice["pk"], notice["sk"])] = notice
            self._put(self.eraser.scrub.value(self._without_their_words(notice)))
            self.eraser.count(self.eraser.erasure.rewritten, "mail")

    def _waiting_notice_ids(self, mails: list[dict[str, Any]]) -> list[str]:
        """The ids of the notices expanded from the intents among `mails` that wait on
        the `due` index (pending, or failed for an admin: a sent mail keeps no data), to
        an agent who has left the staff since too (list_agents no longer gives their
        id). By the id's prefix, from the intent's moment on (a notice is queued as of
        its intent's created_at and comes due no earlier). The index is read eventually
        consistent: a notice stored a moment before is found by its id above only."""
        from loket.services.agent_notices import INTENT, notice_id_prefix
        from loket.storage.dynamodb_mail import PENDING_SHARD, UNDELIVERED_SHARD

        ids = []
        for intent in (mail for mail in mails if mail.get("kind") == INTENT):
            for shard in (PENDING_SHARD, UNDELIVERED_SHARD):
                pages = self.adapter.client.get_paginator("query").paginate(
                    TableName=self.adapter.table_name, IndexName="due",
                    KeyConditionExpression="due_shard = :shard AND due_at >= :since",
                    FilterExpression="begins_with(pk, :notices)", ProjectionExpression="pk",
                    ExpressionAttributeValues=_to_item({
                        ":shard": shard, ":since": intent["created_at"],
                        ":notices": "MAIL#" + notice_id_prefix(intent["id"])}))
                ids += [mail_id for page in pages for item in page["Items"]
                        if (mail_id := _from_item(item)["pk"].removeprefix("MAIL#"))
                        != intent["id"]]  # the intent itself, if it waits still
        return ids

    def _put(self, item: dict[str, Any]) -> None:
        """Write the rewritten `item` if what the Scan read is still there; else read it
        again, rewrite that and try again."""
        seen = self.seen[(item["pk"], item["sk"])]
        for _ in range(ATTEMPTS):
            if self._write_if_unchanged(seen, item):
                return
            fresh = self.adapter.client.get_item(
                TableName=self.adapter.table_name, ConsistentRead=True,
                Key=_to_item({"pk": item["pk"], "sk": item["sk"]})).get("Item")
            if fresh is None:
                return  # Deleted meanwhile: nothing of the person is left in it.
            seen = _from_item(fresh)
            if not self.eraser.mentions(seen):
                return
            item = self.eraser.scrub.value(self._without_their_words(seen))
        raise RuntimeError(f"{item['pk']} {item['sk']} kept changing while being erased; "
                           "run it again")

    def _write_if_unchanged(self, seen: dict[str, Any], item: dict[str, Any]) -> bool:
        """False when the item changed since `seen` was read (or is gone)."""
        client, table = self.adapter.client, self.adapter.table_name
        if item == seen:
            return True
        try:
            if item["sk"] == "TICKET":  # Every ticket write bumps its version.
                client.put_item(TableName=table, Item=_to_item(item),
                                ConditionExpression="version = :v",
                                ExpressionAttributeValues=_to_item({":v": seen["version"]}))
            else:
                client.update_item(TableName=table, **_update_if_unchanged(seen, item))
        except ClientError as error:
            if not lost_condition(error):
                raise
            return False
        return True


def _update_if_unchanged(seen: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """An UpdateItem that turns `seen` into `item`, on condition that every attribute
    is still as read. Only what changed is written, so an attribute another writer
    added meanwhile stays too."""
    placeholders: dict[str, str] = {}  # attribute -> its one name placeholder
    values: dict[str, Any] = {}

    def name(attribute: str) -> str:
        return placeholders.setdefault(attribute, f"#a{len(placeholders)}")

    def value(v: Any) -> str:
        values[f":v{len(values)}"] = v
        return f":v{len(values) - 1}"

    # No items of these kinds hold more than a few dozen attributes: the expressions stay
    # far below DynamoDB's 4 KB.
    conditions = ["attribute_exists(pk)"] + [
        f"{name(k)} = {value(v)}" for k, v in seen.items() if k not in _KEY]
    changed = [f"{name(k)} = {value(v)}" for k, v in item.items()
               if k not in _KEY and seen.get(k) != v]
    gone = [name(k) for k in seen if k not in item]
    update = " ".join(filter(None, ("SET " + ", ".join(changed) if changed else "",
                                    "REMOVE " + ", ".join(gone) if gone else "")))
    request = {"Key": _to_item({"pk": item["pk"], "sk": item["sk"]}),
               "ConditionExpression": " AND ".join(conditions),
               "ExpressionAttributeNames": {p: a for a, p in placeholders.items()},
               "ExpressionAttributeValues": _to_item(values)}
    if update:
        request["UpdateExpression"] = update
    return request


def _kind(item: dict[str, Any]) -> str:
    sk = item["sk"]
    if sk.startswith(MESSAGE_PREFIX):
        return "messages"
    for prefix, kind in (("LIFT#", "suppression_lifts"), ("EVT#", "events"),
                         ("PRESENCE#", "presence"), ("KEY#", "message keys")):
        if sk.startswith(prefix):
            return kind
    return _KINDS.get(sk, sk.split("#")[0].lower())
