"""The two due parts of a store's due index (#15): timers and removals.

A ticket's `due_at` is its next timer or SLA deadline, or, once it is closed or
cancelled, the moment retention removes its personal data (domain/retention.py). The
sweeper reads the two apart, each up to its own bound, so a backlog of removals (the
first `loket retention-schedule` on a store of old closed tickets) never sorts before a
reminder that is due now. The part is known from the ticket as saved: its queue
category (worked out by the workflow at every step, domain/desk_queues.py) is closed or
cancelled exactly when it is finished. A timer of a closed or cancelled status (no
preset has one) is read with the removals, and the sweeper reads them whenever such a
timer or retention is configured.
"""

from __future__ import annotations

from loket.domain.retention import FINISHED
from loket.domain.tickets import Ticket

REMOVAL_CATEGORIES = frozenset(category.value for category in FINISHED)

# SQLite: one partial index per part (storage/sqlite.py's DUE_KINDS_MIGRATION spells
# these conditions out; SQLite uses a partial index only for a query that repeats its
# condition, so the queries below use the same text).
SQLITE_TIMERS_DUE = ("due_at IS NOT NULL AND "
                     "coalesce(queue_category, '') NOT IN ('cancelled', 'closed')")
SQLITE_REMOVALS_DUE = "due_at IS NOT NULL AND queue_category IN ('cancelled', 'closed')"
SQLITE_MIGRATION = f"""
    DROP INDEX tickets_by_due_at;
    CREATE INDEX tickets_by_due_at ON tickets(due_at) WHERE {SQLITE_TIMERS_DUE};
    CREATE INDEX tickets_removals_by_due_at ON tickets(due_at) WHERE {SQLITE_REMOVALS_DUE};
"""

# DynamoDB: the `due` index's partition key; each part is spread over shards of its own
# (a burst of timers never makes one index partition hot), the sweeper queries each.
TIMER_SHARD, REMOVAL_SHARD = "DUE", "RETAIN"
DUE_SHARDS = 4


def is_removal(ticket: Ticket) -> bool:
    """Whether the ticket's due moment is in the removals' part."""
    return ticket.queue_category in REMOVAL_CATEGORIES


def dynamodb_shard(ticket: Ticket, shards: int = DUE_SHARDS) -> str:
    """The ticket's `due_shard`: DUE#<n> for timers, RETAIN#<n> for removals."""
    prefix = REMOVAL_SHARD if is_removal(ticket) else TIMER_SHARD
    return f"{prefix}#{ticket.number % shards}"
