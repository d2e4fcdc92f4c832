"""SQLiteStore's desk views, their counts and ticket search (storage/desk_queries.py).

Every view is one range of an index: (product, queue_category[, queue_order]),
(product, queue_owner[, queue_order]) or (product, queue_order), whose entries SQLite
keeps sorted by the ticket number after the listed columns, so "by number" reads the
same index. `queue_owner` is a virtual column (the assignee, "" for nobody, NULL once
resolved): indexed, never stored twice. A count is COUNT(*) over the same range,
stopped at `at_most`. Words are in an FTS5 table, one row per ticket (rowid = number),
fed with the words of its subject and of every message as they are stored.
"""

from __future__ import annotations

import sqlite3
from typing import Sequence

from loket.domain.tickets import Message, Ticket
from loket.storage.desk_queries import (NEWEST, RESOLVED_CATEGORIES, WORK, DeskView,
                                        TicketSearch, created_text, split_work_key, words)
from loket.storage.records import ticket_from_record

_resolved = ", ".join(f"'{c}'" for c in RESOLVED_CATEGORIES)
DESK_MIGRATION = f"""
    ALTER TABLE tickets ADD COLUMN queue_category TEXT;
    ALTER TABLE tickets ADD COLUMN queue_order TEXT;
    ALTER TABLE tickets ADD COLUMN queue_owner TEXT GENERATED ALWAYS AS (
        CASE WHEN queue_category IS NULL OR queue_category IN ({_resolved}) THEN NULL
             ELSE coalesce(assignee, '') END) VIRTUAL;
    CREATE INDEX desk_by_category ON tickets(product, queue_category);
    CREATE INDEX desk_by_category_order ON tickets(product, queue_category, queue_order);
    CREATE INDEX desk_by_owner ON tickets(product, queue_owner);
    CREATE INDEX desk_by_owner_order ON tickets(product, queue_owner, queue_order);
    CREATE INDEX desk_by_order ON tickets(product, queue_order);
    CREATE VIRTUAL TABLE ticket_words USING fts5(words, tokenize = 'unicode61');
    INSERT INTO ticket_words (rowid, words)
        SELECT number, subject || ' ' || coalesce(
            (SELECT group_concat(body, ' ') FROM messages WHERE ticket = number), '')
        FROM tickets
"""

# The words' table again without its per-row token counts (columnsize=0): only ranking
# (bm25) reads them, and searches are read newest first, never ranked. A ticket's write
# then writes one b-tree fewer (a WAL page a submission). The rows are copied as they
# are: their words were normalised when stored.
DESK_WORDS_MIGRATION = """
    CREATE VIRTUAL TABLE ticket_words_new USING fts5(words, tokenize = 'unicode61',
                                                     columnsize = 0);
    INSERT INTO ticket_words_new (rowid, words) SELECT rowid, words FROM ticket_words;
    DROP TABLE ticket_words;
    ALTER TABLE ticket_words_new RENAME TO ticket_words
"""


class SQLiteDesk:
    """Mixed into SQLiteStore; expects its _connection()."""

    def desk_view(self, view: DeskView) -> list[Ticket]:
        """One page: at most view.limit + 1 tickets (the extra one tells the caller
        there is a next page)."""
        where, args = _view_range(view)
        after, after_args = _after(view)
        rows = self._connection().execute(
            f"SELECT * FROM tickets WHERE {' AND '.join(where + after)} "
            f"ORDER BY {_order_by(view)} LIMIT ?",
            [*args, *after_args, view.limit + 1]).fetchall()
        return [ticket_from_record(dict(row)) for row in rows]

    def count_desk_view(self, view: DeskView, at_most: int) -> int:
        """How many tickets the view holds, counting no further than `at_most`."""
        where, args = _view_range(view)
        row = self._connection().execute(
            f"SELECT count(*) FROM (SELECT 1 FROM tickets WHERE {' AND '.join(where)} "
            "LIMIT ?)", [*args, at_most]).fetchone()
        return int(row[0])

    def search_tickets(self, search: TicketSearch) -> list[Ticket]:
        """A page of matches, newest first: at most search.limit + 1. The plan is told
        which index leads (SQLite has no statistics to tell the product index from a
        narrower one): the words' (FTS5, read newest first), the requester's or the
        organization's; else the product's and status category's."""
        if not search.products:
            return []
        where, args = _search_conditions(search)
        source, order = "tickets", "tickets.number DESC"
        if search.words:
            # CROSS JOIN: the words' rows drive, in rowid (= number) order.
            source = "ticket_words CROSS JOIN tickets ON tickets.number = ticket_words.rowid"
            order = "ticket_words.rowid DESC"
            where.insert(0, "ticket_words MATCH ?")
            args.insert(0, " AND ".join(f'"{w}"' for w in search.words))
        rows = self._connection().execute(
            f"SELECT tickets.* FROM {source} WHERE {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT ?", [*args, search.limit + 1]).fetchall()
        return [ticket_from_record(dict(row)) for row in rows]

    def refresh_desk_keys(self, ticket: Ticket, texts: Sequence[str] = ()) -> bool:
        """Store `ticket`'s queue keys (worked out again after an upgrade or a change of
        the SLA) and make the words of `texts` (its subject and every message)
        searchable; nothing else of it, no new version, as no one changed the ticket. False, writing nothing, when the stored
        ticket is not at ticket.version (a save meanwhile worked its keys out itself)."""
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE tickets SET queue_category = ?, queue_order = ? "
                "WHERE number = ? AND version = ?",
                (ticket.queue_category, ticket.queue_order, ticket.number,
                 ticket.version)).rowcount
            if changed and texts:  # the ticket's whole text: its row is made anew
                conn.execute("DELETE FROM ticket_words WHERE rowid = ?", (ticket.number,))
                conn.execute("INSERT INTO ticket_words (rowid, words) VALUES (?, ?)",
                             (ticket.number, " ".join(words(" ".join(texts)))))
            return bool(changed)

    # -- kept up to date inside the writes of sqlite.py ---------------------------------

    def _index_words(self, conn: sqlite3.Connection, rows: Sequence[tuple[int, str]], *,
                     new: bool) -> None:
        """Store `ticket_words` rows (number, text): new tickets' rows, in one statement
        (a batch's; see sqlite_group_commit.py), or words added to a ticket's row."""
        if new:
            if rows:
                conn.executemany("INSERT INTO ticket_words (rowid, words) VALUES (?, ?)", rows)
            return
        for number, text in rows:
            if text:
                conn.execute("UPDATE ticket_words SET words = words || ' ' || ? "
                             "WHERE rowid = ?", (text, number))


def words_row(ticket: Ticket, messages: list[Message], *, new: bool) -> tuple[int, str]:
    """A ticket's row for `_index_words`: the words of its subject (when new) and of
    `messages`."""
    return ticket.number, " ".join(
        words(" ".join([ticket.subject] * new + [m.body for m in messages])))


def _view_range(view: DeskView) -> tuple[list[str], list]:
    where, args = ["product = ?"], [view.product]
    if view.category is not None:
        where.append("queue_category = ?")
        args.append(view.category)
    elif view.owner is not None:
        where.append("queue_owner = ?")
        args.append(view.owner)
    elif view.due_by is not None:
        where.append("queue_order < ?")
        args.append(view.due_by)
    if view.order == WORK:
        where.append("queue_order IS NOT NULL")
    return where, args


def _order_by(view: DeskView) -> str:
    if view.order == WORK:
        return "queue_order, number"
    return "number DESC" if view.order == NEWEST else "number"


def _after(view: DeskView) -> tuple[list[str], list]:
    if view.after is None:
        return [], []
    if view.order == WORK:
        order, number = split_work_key(view.after)
        return ["(queue_order, number) > (?, ?)"], [order, number]
    return ["number < ?" if view.order == NEWEST else "number > ?"], [int(view.after)]


def _search_conditions(search: TicketSearch) -> tuple[list[str], list]:
    products = sorted(search.products)
    # A unary + keeps SQLite off the product index when a narrower one can lead.
    narrower = bool(search.words or search.requester or search.organization)
    where = [f"{'+' if narrower else ''}tickets.product IN "
             f"({', '.join('?' for _ in products)})"]
    args: list = list(products)
    for condition, value in (("lower(email) = ?", search.requester and
                              search.requester.lower()),
                             ("organization = ?", search.organization),
                             ("queue_category = ?", None if narrower else search.category),
                             ("tickets.status = ?", search.status),
                             ("tickets.priority = ?", search.priority),
                             ("tickets.created_at >= ?", created_text(search.created_from)),
                             ("tickets.created_at < ?", created_text(search.created_before)),
                             ("tickets.number < ?", search.before)):
        if value is not None:
            where.append(condition)
            args.append(value)
    return where, args
