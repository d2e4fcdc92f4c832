"""Erase a person on request (`loket accounts erase ADDRESS`, the desk's erase action).

What goes: their account, sessions, one-time links and rate-limit counters; mail queued
or sent to them; their suppression entry and the records of its lifts; mail of theirs that was refused (record and
raw message); the files of their messages. What is rewritten: everywhere else their
address and full name appear (tickets they submitted, messages they wrote, ratings,
mail to others) they become a placeholder, one per erasure (`erased-<random>@erased.invalid`),
so their tickets stay countable and grouped for the vendor's figures but lead to no one.
With `messages=True` the text of their messages and rating comments is removed too;
without it their words stay, with the address and name in them replaced.

It reads every record once through the store's DataPort (a full read, a Scan on
DynamoDB: an erasure is rare and must miss nothing) and writes only what changes.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

REMOVED_TEXT = "[removed at the customer's request]"
# Records with no key of their own (a lift of a suppression, say one the person lifted
# as an agent): rewritten by removing the old record and storing the new one.
KEYED_BY_CONTENT = ("suppression_lifts",)


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
        return value

    def mentions(self, record: dict[str, Any]) -> bool:
        return bool(self.pattern.search(json.dumps(record, ensure_ascii=False))) or \
            bool(self.pattern.search(json.dumps(record)))


def erase_person(store, port, blobs, address: str, *, messages: bool = False) -> Erasure:
    """Erase `address` from the store and the blob store; what went is in the result."""
    from loket.domain.accounts import email_key

    address = email_key(address)
    account = store.get_account(address)
    names = _names(account)
    erasure = Erasure(address, f"erased-{secrets.token_hex(6)}@erased.invalid")
    scrub = _Scrubber(address, names, erasure.placeholder)
    removed: dict[str, list] = {}
    rewritten: dict[str, list] = {}
    originals: dict[str, list] = {}
    blob_keys: list[str] = []
    for kind, record in port.export_records():
        if not scrub.mentions(record):
            continue
        if _belongs_to(kind, record, address):
            removed.setdefault(kind, []).append(record)
            if kind == "refused" and record.get("raw_key"):
                blob_keys.append(record["raw_key"])
        else:
            if kind == "tickets":
                record = _erase_messages(record, address, messages, blob_keys)
            rewritten.setdefault(kind, []).append(scrub.value(record))
            originals.setdefault(kind, []).append(record)
    for kind, records in rewritten.items():
        if kind in KEYED_BY_CONTENT:
            port.delete_records(kind, originals[kind])
            port.import_records(kind, records)
        else:
            port.replace_records(kind, records)
        erasure.rewritten[kind] = len(records)
    for kind, records in removed.items():
        port.delete_records(kind, records)
        erasure.removed[kind] = len(records)
    erasure.removed["sessions, links and counters"] = port.erase_unexported(address)
    for key in blob_keys:
        blobs.delete(key)
    erasure.blobs = len(blob_keys)
    return erasure


def _names(account) -> list[str]:
    """The full name, then the last name, as the account has them."""
    if account is None:
        return []
    full = f"{account.first_name} {account.last_name}".strip()
    return [n for n in dict.fromkeys([full, account.last_name.strip()]) if n]


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
