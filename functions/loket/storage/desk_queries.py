"""What the agent desk asks the stores: a page of one view of one product's tickets, a
view's count, and a ticket search. Both stores answer from indexes (sqlite_desk.py,
dynamodb_desk.py); tests/contract/test_desk_views_contract.py defines the behaviour.

A view holds the tickets of one product: with a category (*New for my boards*,
*Waiting on customer*), with an owner (*Mine*: the agent's address; *Unassigned*: "")
among the tickets not yet resolved, whose SLA moment is due by a bound (*SLA at risk
and breached*), or all. It is read in "work" order (queue_order, then number) or by
number, newest or oldest first, continuing after a cursor from the page before.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone

from loket.domain.desk_queues import SEPARATOR
from loket.domain.tickets import RESOLVED

WORK, NEWEST, OLDEST = "work", "newest", "oldest"
ORDERS = (WORK, NEWEST, OLDEST)
RESOLVED_CATEGORIES = tuple(sorted(c.value for c in RESOLVED))
# Words longer than this are cut (a pasted hash or log line is not something to find).
MAX_WORD = 40
MAX_SEARCH_WORDS = 8


@dataclass(frozen=True)
class DeskView:
    product: str
    category: str | None = None   # the tickets whose status is in this category
    owner: str | None = None      # unresolved tickets assigned to this name ("": nobody)
    due_by: str | None = None     # tickets whose queue_order sorts below this bound
    order: str = WORK
    after: str | None = None      # the cursor: a work key, or a number as text
    limit: int = 25

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.category, self.owner, self.due_by)) > 1:
            raise ValueError("a desk view has one of category, owner or due_by at most")
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}")
        if self.due_by is not None and self.order != WORK:
            raise ValueError("the SLA view is read in work order")
        if not 1 <= self.limit <= 100:
            raise ValueError("a page holds 1 to 100 tickets")


def work_key(queue_order: str, number: int) -> str:
    """A ticket's place in work order, unique: the cursor of work-ordered pages and the
    sort key of DynamoDB's work indexes."""
    return f"{queue_order}{SEPARATOR}{number:012d}"


def split_work_key(key: str) -> tuple[str, int]:
    """(queue_order, number) of a work key; ValueError when it is not one."""
    order, _, number = key.rpartition(SEPARATOR)
    if not order or len(number) != 12 or not number.isdigit():
        raise ValueError(f"not a work key: {key!r}")
    return order, int(number)


@dataclass(frozen=True)
class TicketSearch:
    """Tickets of `products` (the agent's rights, or the one product asked for), newest
    first, matching every criterion given. `words` are whole words of the subject or any
    message (normalised by `words()`); `requester` an e-mail address (any case);
    `created_from` / `created_before` UTC moments (inclusive / exclusive)."""

    products: frozenset[str]
    words: tuple[str, ...] = ()
    requester: str | None = None
    organization: str | None = None
    status: str | None = None
    category: str | None = None   # the status's category: lets a store pick its index
    priority: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    before: int | None = None     # continue below this number
    limit: int = 25

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= 100:
            raise ValueError("a page holds 1 to 100 tickets")
        if len(self.words) > MAX_SEARCH_WORDS:
            raise ValueError(f"at most {MAX_SEARCH_WORDS} words")


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The distinct words of `text` as both stores index and search them: case and
    accents folded ("Café" finds "cafe"), in order of first appearance."""
    if text.isascii():  # Most text: nothing to fold but case, and no loop per character.
        plain = text.lower()
    else:
        plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                        if not unicodedata.combining(c)).casefold()
    seen: dict[str, None] = {}
    for word in _WORD.findall(plain):
        seen.setdefault(word[:MAX_WORD], None)
    return list(seen)


def created_text(moment: datetime | None) -> str | None:
    """A bound on `created_at` as both stores keep it (records.ticket_to_record: the UTC
    moment's isoformat), which compares as text exactly as the moments compare."""
    return moment.astimezone(timezone.utc).isoformat() if moment is not None else None
