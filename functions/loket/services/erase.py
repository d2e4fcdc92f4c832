"""Erase a person on request (`loket accounts erase ADDRESS`, the desk's erase action).

What goes: their account, sessions, one-time links and rate-limit counters; mail queued
or sent to them; their suppression entry and the records of its lifts (one made while
the erasure runs too: `Eraser.lift_addresses`); mail of theirs that was refused (record and
raw message); the files of their messages. What is rewritten: everywhere else their
address and full name appear (tickets they submitted, messages they wrote, ratings,
mail to others) they become a placeholder, one per erasure (`erased-<random>@erased.invalid`),
so their tickets stay countable and grouped for the vendor's figures but lead to no one.
With `messages=True` the text of their messages and rating comments is removed too,
and so are their words in mail that waits (the subject and text a notice about their
ticket carries); without it their words stay, with the address and name in them replaced.

It reads every record once through the store's DataPort (a full read, a Scan on
DynamoDB: an erasure is rare and must miss nothing) and writes only what changes, in
bounded chunks (`erase_chunk`): the CLI runs them all at once, the desk's erase job one
sweep at a time, resuming from the chunk's cursor after a crash. A record changed by
another writer between the chunk's read and its write (a reply, the dispatcher's claim
or outcome, a new password, a lifted suppression) is rewritten from what it holds then:
an erasure never puts their older state back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

REMOVED_TEXT = "[removed at the customer's request]"
# Records a chunk reads at most (DynamoDB: items of one Scan page; SQLite: tickets, and
# then its other records in one step of their own, storage/sqlite_export.erase_chunk):
# a chunk must end well within a Lambda's run, and a crash costs one chunk read again.
CHUNK = 200
# The CLI has no such limit: bigger steps, fewer round trips.
CLI_CHUNK = 1000
# Writes of a ticket that changed since it was read, read again each time, before the
# chunk fails (and runs again later).
ATTEMPTS = 3


@dataclass
class Erasure:
    address: str
    placeholder: str
    removed: dict[str, int] = field(default_factory=dict)
    rewritten: dict[str, int] = field(default_factory=dict)
    blobs: int = 0

    def summary(self) -> str:
        removed = ", ".join(f"{kind} {n}" for kind, n in self.removed.items() if n)
        rewritten = ", ".join(f"{kind} {n}" for kind, n in self.rewritten.items() if n)
        return (f"{self.address}: removed {removed or 'nothing'}; {self.blobs} files; "
                f"rewritten as {self.placeholder}: {rewritten or 'nothing'}")


class _Scrubber:
    """Replaces the person's address and name in any record, JSON held in strings
    included (a ticket's fields, a mail's data)."""

    def __init__(self, address: str, names: list[str], placeholder: str):
        # The address anywhere (inside a longer address too); names as whole words,
        # the full name first, then each part but short ones (a first name alone is
        # often a common word, kept unless messages' text goes too).
        words = [rf"\b{re.escape(name)}\b" for name in names if len(name) >= 4]
        self.pattern = re.compile("|".join([re.escape(address), *words]), re.IGNORECASE)
        self.placeholder = placeholder

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            if value[:1] in "[{" and value[-1:] in "]}":
                try:
                    return json.dumps(self.value(json.loads(value)), sort_keys=True)
                except ValueError:
                    pass
            return self.pattern.sub(self.placeholder, value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, (set, frozenset)):  # a DynamoDB string set (words)
            return {self.value(v) for v in value}
        return value

    def mentions(self, record: dict[str, Any]) -> bool:
        return bool(self.pattern.search(json.dumps(record, ensure_ascii=False,
                                                   default=_plain))) or \
            bool(self.pattern.search(json.dumps(record, default=_plain)))

    def mentions_text(self, text: str) -> bool:
        return bool(self.pattern.search(text))


def _plain(value: Any) -> Any:
    """What json.dumps makes of a DynamoDB item's sets and numbers."""
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    return str(value)


class Eraser:
    """One erasure's rules, which both stores' chunks apply (storage/*_export.py's
    `erase_chunk`), and its running counts. Every rule is idempotent: what it rewrote
    no longer names the person and what it removed is gone, so a chunk run again after
    a crash finds nothing more to do and counts nothing twice."""

    removed_text = REMOVED_TEXT  # what takes the place of their words (with `messages`)

    def __init__(self, address: str, names: list[str], placeholder: str, blobs, *,
                 messages: bool = False):
        self.address = address
        self.messages = messages
        self.blobs = blobs
        self.scrub = _Scrubber(address, names, placeholder)
        self.erasure = Erasure(address, placeholder)

    def mentions(self, record: dict[str, Any]) -> bool:
        return self.scrub.mentions(record)

    def is_theirs(self, value: Any) -> bool:
        return str(value or "").casefold() == self.address.casefold()

    def count(self, table: dict[str, int], kind: str, n: int = 1) -> None:
        if n:
            table[kind] = table.get(kind, 0) + n

    def drop_blobs(self, keys: list[str]) -> None:
        """Files go before the record that names them is rewritten: a crash between
        the two leaves the record, and the chunk run again deletes them again."""
        for key in keys:
            self.blobs.delete(key)
        self.erasure.blobs += len(keys)

    def without_mail_words(self, record: dict[str, Any]) -> dict[str, Any]:
        """A queued mail loses, with `messages`, the person's words in its data: the
        subject of their ticket (the agents' notices, the record they are expanded
        from, an assignment, the review board's news, both of a merge mail) and a
        text they wrote (the description or reply a notice quotes). Both stores keep
        a mail's data as a JSON string; a sent mail keeps none (null). Run again, it
        finds the placeholder where their address was, and changes nothing."""
        data = _json_object(record.get("data")) if self.messages else None
        if data is None:
            return record
        # A review board's news names the ticket's customer as `email`.
        customer = data.get("customer", data.get("email")
                            if record.get("kind") == "review-board" else None)
        # Who wrote `text`; mail queued before notices said so: the ticket's customer.
        author = data.get("author", data.get("customer"))
        # A merge mail carries both tickets' subjects: one requester's (merging.py).
        gone = {k: REMOVED_TEXT for k, whose in (("subject", customer), ("text", author),
                                                ("description", customer),
                                                ("into_subject", customer))
                if data.get(k) and self.is_theirs(whose)}
        if not gone:
            return record
        return {**record, "data": json.dumps({**data, **gone}, sort_keys=True)}

    def rewrite_mail(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """A mail to someone else as this erasure leaves it; None for one to the person
        (an agent's notice queued to them since the read: SQLite finds it by its
        intent's id), which goes whole as their mail always does."""
        if _belongs_to("mail", record, self.address):
            return None
        return self.scrub.value(self.without_mail_words(record))

    def notice_ids(self, record: dict[str, Any], agents: list[str]) -> list[str]:
        """The ids of the notices to `agents` that the dispatcher expands from `record`
        when it is an intent (none else): DynamoDB finds by them the notices an
        expansion queued after its Scan passed their keys."""
        from loket.services.agent_notices import INTENT, notice_id

        if record.get("kind") != INTENT:
            return []
        return [notice_id(record["id"], address) for address in agents]

    def lift_addresses(self, records) -> list[str]:
        """Whose suppression lifts an erasure looks up once it has written what it read
        (the lifts' records come by address on both stores): the person's, and those of
        the suppressions it read that name them. A lift made between the read and the
        write copied such a suppression, the person in it, and no read of theirs holds
        it; one made after the write copies the suppression rewritten."""
        return list(dict.fromkeys([self.address, *(
            record["address"] for kind, record in records
            if kind == "suppressions" and self.mentions(record))]))

    def _ticket_line(self, line: dict[str, Any], blob_keys: list[str]) -> dict[str, Any]:
        """A ticket's line (ticket, messages, events, rating) as this erasure leaves it."""
        return self.scrub.value(_erase_messages(line, self.address, self.messages, blob_keys))

    def _rewrite_tickets(self, port, pairs: list[tuple[dict, dict]]) -> None:
        """Each ticket's line rewritten where the ticket is still as read (SQLite); one
        that changed since (a reply, a status, a rating) is read again and rewritten
        from what it holds now, so nothing added meanwhile is lost."""
        for _ in range(ATTEMPTS):
            stale = port.rewrite_tickets(pairs) if pairs else []
            self.count(self.erasure.rewritten, "tickets", len(pairs) - len(stale))
            if not stale:
                return
            blob_keys: list[str] = []
            pairs = [(line, self._ticket_line(line, blob_keys))
                     for _, line in port.read_tickets(stale) if self.mentions(line)]
            self.drop_blobs(blob_keys)
        raise RuntimeError(f"tickets {stale} kept changing while being erased; run it again")

    def apply(self, port, records) -> None:
        """Remove or rewrite the (kind, record) pairs that name the person (SQLite)."""
        removed: dict[str, list] = {}
        originals: dict[str, list] = {}  # as read, rewritten as the write finds them
        mails: list[dict[str, Any]] = []
        tickets: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (as read, rewritten)
        blob_keys: list[str] = []
        for kind, record in records:
            if not self.mentions(record):
                continue
            if _belongs_to(kind, record, self.address):
                removed.setdefault(kind, []).append(record)
                if kind == "refused" and record.get("raw_key"):
                    blob_keys.append(record["raw_key"])
                continue
            if kind == "tickets":
                tickets.append((record, self._ticket_line(record, blob_keys)))
                continue
            if kind == "mail":
                # Rewritten from the mail as the write finds it, not as read here: the
                # dispatcher may have claimed, sent or failed it since, and that stays.
                mails.append(record)
                continue
            originals.setdefault(kind, []).append(record)
        self.drop_blobs(blob_keys)
        self._rewrite_tickets(port, tickets)
        if mails:
            changed = port.rewrite_mail(mails, self.rewrite_mail, made_from=_intents(mails))
            self.count(self.erasure.rewritten, "mail", changed)
        for kind, records_of_kind in originals.items():
            # Read again in the write, by key: an account's new password, an
            # organization's products, a suppression lifted meanwhile stay so. A lift
            # (no key of its own) by its content, old and new in one write.
            changed = port.rewrite_records(kind, records_of_kind, self.scrub.value)
            self.count(self.erasure.rewritten, kind, changed)
        for kind, records_of_kind in removed.items():
            port.delete_records(kind, records_of_kind)
            self.count(self.erasure.removed, kind, len(records_of_kind))


def start_erasure(store, blobs, address: str, *, messages: bool = False,
                  placeholder: str | None = None, names: list[str] | None = None) -> Eraser:
    """The eraser for `address`: its names read from the account now (a later chunk
    runs after the account has gone), its placeholder new unless a job chose it."""
    from loket.domain.accounts import email_key

    address = email_key(address)
    if names is None:
        names = account_names(store.get_account(address))
    placeholder = placeholder or new_placeholder()
    return Eraser(address, names, placeholder, blobs, messages=messages)


def new_placeholder() -> str:
    """A new address that leads to no one, in the one form erasure and retention use."""
    from loket.domain.retention import placeholder

    return placeholder()


def erase_chunk(port, eraser: Eraser, cursor: str | None, *, limit: int = CHUNK) -> str | None:
    """One bounded step of the erasure from `cursor` (None: the start); returns where
    the next starts, or None when nothing is left."""
    return port.erase_chunk(eraser, cursor, limit=limit)


def erase_person(store, port, blobs, address: str, *, messages: bool = False) -> Erasure:
    """Erase `address` from the store and the blob store, every step at once (the CLI);
    what went is in the result. The desk's erase job runs the same steps a few at a
    time (services/erase_jobs.py)."""
    eraser = start_erasure(store, blobs, address, messages=messages)
    cursor = erase_chunk(port, eraser, None, limit=CLI_CHUNK)
    while cursor is not None:
        cursor = erase_chunk(port, eraser, cursor, limit=CLI_CHUNK)
    return eraser.erasure


def account_names(account) -> list[str]:
    """The full name, then the last name, as the account has them."""
    if account is None:
        return []
    full = f"{account.first_name} {account.last_name}".strip()
    return [n for n in dict.fromkeys([full, account.last_name.strip()]) if n]


def _intents(mails: list[dict[str, Any]]) -> list[str]:
    """How the ids of the agents' notices expanded from these mails begin: an expansion
    the dispatcher stores after the erasure read an intent copies its data unerased."""
    from loket.services.agent_notices import INTENT, notice_id_prefix

    return [notice_id_prefix(mail["id"]) for mail in mails if mail.get("kind") == INTENT]


def _json_object(value: Any) -> dict[str, Any] | None:
    """A mail's data as a dict, or None when it holds none (a sent mail)."""
    try:
        data = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    return dict(data) if isinstance(data, dict) else None


def _belongs_to(kind: str, record: dict[str, Any], address: str) -> bool:
    """Records that are the person's alone: removed whole, not rewritten."""
    owner = {"accounts": "email", "mail": "to", "suppressions": "address",
             "suppression_lifts": "address", "refused": "sender"}.get(kind)
    return owner is not None and str(record.get(owner, "")).casefold() == address.casefold()


def _erase_messages(line: dict[str, Any], address: str, text_too: bool,
                    blob_keys: list[str]) -> dict[str, Any]:
    """The ticket's messages by the person lose their files (and, with `text_too`,
    their text); their rating loses its comment likewise."""
    messages = []
    for message in line["messages"]:
        if message["author"].casefold() == address.casefold():
            for attachment in json.loads(message.get("attachments") or "[]"):
                blob_keys.extend(filter(None, (attachment.get("key"),
                                               attachment.get("thumbnail_key"))))
            message = {k: v for k, v in message.items() if k != "attachments"}
            if text_too:
                message["body"] = REMOVED_TEXT
        messages.append(message)
    ticket = line["ticket"]
    if text_too and ticket["email"].casefold() == address.casefold():
        ticket = {**ticket, "subject": REMOVED_TEXT}  # their words, like a message
    rating = line.get("rating")
    if rating and text_too and str(rating.get("rated_by", "")).casefold() == address.casefold():
        rating = {**rating, "comment": ""}
    return {**line, "ticket": ticket, "messages": messages, "rating": rating}
