"""SQLiteStore's side of `loket export` / `loket import` (services/export.py): every
record as the shared plain records (records.py and its siblings), read from one
snapshot, and records written back keyed by what names them, so an import that is run
again writes nothing twice. An adapter beside the store (storage/data_port.py picks
it), over the store's path, _connection() and _write().
The behaviour is defined by tests/contract/test_export_contract.py."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any, Callable, Iterator, NamedTuple, Sequence

from loket.storage.desk_queries import words
from loket.storage.event_records import EVENT_COLUMNS, event_from_record, event_to_record
from loket.storage.sqlite_events import EVENTS_MIGRATION
from loket.storage.account_records import (account_from_record, account_to_record,
                                           organization_from_record, organization_to_record,
                                           rating_from_record, rating_to_record)
from loket.domain.outgoing import address_key
from loket.storage.mail_records import (MAIL_COLUMNS, lift_from_record, lift_to_record,
                                        mail_from_record, mail_row, mail_to_record,
                                        suppression_from_record, suppression_to_record)
from loket.storage.records import (TICKET_COLUMNS, UPLOAD_COLUMNS, message_from_record,
                                   message_to_record, ticket_from_record, ticket_to_record,
                                   upload_from_record, upload_to_record)
from loket.storage.refused_records import (REFUSED_COLUMNS, refused_from_record,
                                           refused_to_record)

# Counters the export leaves out: an import's own progress marks (services/export.py).
PRIVATE_COUNTER_PREFIX = "import#"
TICKET_COUNTER = "ticket"


class SQLiteExport:
    """The DataPort (ports.py) of one SQLiteStore."""

    def __init__(self, store):
        self.store = store
        self.path = store.path

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, record) for everything worth keeping, kind by kind, all from one read
        transaction: a snapshot, however much the server writes meanwhile. Sessions,
        one-time links and rate-limit counters are left out: they are worth nothing
        in another store."""
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("BEGIN")  # WAL: the snapshot is taken at the first read.
            yield from _tickets(conn)
            yield from _other_records(conn)
        finally:
            conn.close()

    def _snapshot(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn

    def holds_data(self) -> bool:
        """True when the store has anything an import could collide with."""
        conn = self.store._connection()
        return any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
                   for table in ("tickets", "accounts", "organizations", "mail_queue",
                                 "refused_mail"))

    def import_records(self, kind: str, records: Sequence[dict[str, Any]]) -> int:
        """Write `records` of `kind` in one transaction, each unless its key is stored
        already (kept as the store has it); return how many were written."""
        writer = _WRITERS[kind]
        with self.store._write() as conn:
            return sum(writer(conn, record) for record in records)


# -- reading ------------------------------------------------------------------------------

def _tickets(conn: sqlite3.Connection, after: int = 0,
             limit: int = -1) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each ticket with its messages (oldest first), events and rating: three cursors
    walked side by side in ticket order, so memory holds one ticket at a time. Only
    tickets numbered above `after`, at most `limit` (-1: all) of them."""
    tickets = conn.execute(
        "SELECT t.*, r.good AS r_good, r.comment AS r_comment, r.created_at AS r_created_at, "
        "r.rated_by AS r_rated_by FROM tickets t LEFT JOIN ratings r ON r.ticket = t.number "
        "WHERE t.number > ? ORDER BY t.number LIMIT ?", (after, limit))
    messages = _Follower(conn.execute("SELECT * FROM messages WHERE ticket > ? "
                                      "ORDER BY ticket, id", (after,)),
                         lambda row: message_to_record(message_from_record(dict(row))))
    events = _Follower(conn.execute("SELECT * FROM ticket_events WHERE ticket > ? "
                                    "ORDER BY ticket, key", (after,)),
                       lambda row: event_to_record(event_from_record(dict(row))))
    for row in tickets:
        number = row["number"]
        yield "tickets", {"ticket": ticket_to_record(ticket_from_record(dict(row))),
                          "messages": messages.take(number), "events": events.take(number),
                          "rating": _rating(row)}


def _other_records(conn: sqlite3.Connection) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record but the tickets, kind by kind (_READERS' order)."""
    for kind, reader in _READERS.items():
        where = f" WHERE {reader.exported}" if reader.exported else ""
        yield from _read(conn, kind, f"{where} ORDER BY {reader.order}")


class _Follower:
    """A cursor ordered by ticket, read along with the tickets' cursor."""

    def __init__(self, cursor: sqlite3.Cursor, convert):
        self.cursor = cursor
        self.convert = convert
        self.pending = cursor.fetchone()

    def take(self, number: int) -> list[dict[str, Any]]:
        found = []
        while self.pending is not None and self.pending["ticket"] <= number:
            if self.pending["ticket"] == number:
                found.append(self.convert(self.pending))
            self.pending = self.cursor.fetchone()
        return found


def _rating(row: sqlite3.Row) -> dict[str, Any] | None:
    if row["r_good"] is None:
        return None
    return rating_to_record(rating_from_record(
        {"ticket": row["number"], "good": row["r_good"], "comment": row["r_comment"],
         "created_at": row["r_created_at"], "rated_by": row["r_rated_by"]}))


def _read(conn: sqlite3.Connection, kind: str, tail: str,
          args: Sequence[Any] = ()) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, record) for the rows of `kind` that `tail` (WHERE, ORDER BY) picks."""
    reader = _READERS[kind]
    for row in conn.execute(reader.select + tail, args):
        yield kind, reader.convert(row)


def _json_record(parse, unparse):
    """Rows that keep their record as JSON, read back through the domain type, so both
    stores export the same record for the same thing."""
    return lambda row: unparse(parse(json.loads(row["record"])))


def _row(parse, unparse):
    return lambda row: unparse(parse(dict(row)))


class _Reader(NamedTuple):
    """How the rows of one kind are read as its records. The export reads them all in
    `order`, leaving out those that `exported` (an SQL condition, where set) does not
    hold for; the erasure reads one again by its key (_KEYS), and lifts by address."""

    select: str
    convert: Callable[[sqlite3.Row], dict[str, Any]]
    order: str
    exported: str = ""


# Every kind but the tickets (_tickets), in the order the export writes them.
_READERS = {
    "idempotency_keys": _Reader("SELECT key, fingerprint, ticket FROM idempotency_keys",
                                dict, "key"),
    "known_issue_links": _Reader("SELECT issue, ticket, linked_at FROM known_issue_links",
                                 dict, "issue, ticket"),
    "organizations": _Reader("SELECT record FROM organizations", _json_record(
        organization_from_record, organization_to_record), "id"),
    "accounts": _Reader("SELECT record FROM accounts",
                        _json_record(account_from_record, account_to_record), "email"),
    "counters": _Reader("SELECT name, value FROM counters", dict, "name",
                        exported=f"name NOT LIKE '{PRIVATE_COUNTER_PREFIX}%'"),
    "mail": _Reader("SELECT record FROM mail_queue",
                    _json_record(mail_from_record, mail_to_record), "id"),
    "suppressions": _Reader("SELECT address, reason, detail, created_at FROM mail_suppressions",
                            _row(suppression_from_record, suppression_to_record), "address"),
    "suppression_lifts": _Reader("SELECT record FROM mail_suppression_lifts",
                                 _json_record(lift_from_record, lift_to_record), "id"),
    "refused": _Reader("SELECT * FROM refused_mail",
                       _row(refused_from_record, refused_to_record), "id"),
    "uploads": _Reader("SELECT * FROM uploads", _row(upload_from_record, upload_to_record),
                       "id"),
}


# -- writing ------------------------------------------------------------------------------

def _insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    return conn.execute(f"INSERT OR IGNORE INTO {table} ({', '.join(row)}) "
                        f"VALUES ({', '.join('?' for _ in row)})", list(row.values())).rowcount


def _write_ticket(conn: sqlite3.Connection, line: dict[str, Any]) -> int:
    """The ticket, its messages and rating together; nothing when the number is taken."""
    ticket = ticket_to_record(ticket_from_record(line["ticket"]))
    if not _insert(conn, "tickets", {c: ticket[c] for c in TICKET_COLUMNS}):
        return 0
    for message in line["messages"]:
        record = message_to_record(message_from_record(message))
        _insert(conn, "messages", {**record, "ticket": ticket["number"],
                                   "public": int(record["public"])})
    if line.get("rating"):
        _insert(conn, "ratings", rating_to_record(rating_from_record(line["rating"])))
    _insert_events(conn, line.get("events") or ())
    _index_words(conn, line)
    _raise_counter(conn, TICKET_COUNTER, ticket["number"])
    return 1


def _insert_events(conn: sqlite3.Connection, events) -> None:
    for event in events:
        record = event_to_record(event_from_record(event))
        _insert(conn, "ticket_events", {c: record[c] for c in EVENT_COLUMNS})


def _index_words(conn: sqlite3.Connection, line: dict[str, Any]) -> None:
    """The desk's search row (storage/sqlite_desk.py): subject and every message."""
    number = int(line["ticket"]["number"])
    text = " ".join([line["ticket"]["subject"], *(m["body"] for m in line["messages"])])
    conn.execute("DELETE FROM ticket_words WHERE rowid = ?", (number,))
    conn.execute("INSERT INTO ticket_words (rowid, words) VALUES (?, ?)",
                 (number, " ".join(words(text))))


def _raise_counter(conn: sqlite3.Connection, name: str, value: int) -> int:
    """1 when the counter went up to `value`, 0 when it was there already."""
    return conn.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) "
                        "DO UPDATE SET value = excluded.value WHERE value < excluded.value",
                        (name, value)).rowcount


def _write_counter(conn: sqlite3.Connection, record: dict[str, Any]) -> int:
    """The ticket counter only goes up (numbers go on after the highest); any other
    counter (a plan's tickets this period) is kept when the store has it."""
    if record["name"] == TICKET_COUNTER:
        return _raise_counter(conn, TICKET_COUNTER, int(record["value"]))
    return _insert(conn, "counters", {"name": record["name"], "value": int(record["value"])})


def _write_json_row(table: str, key: str, *columns: str):
    def write(conn: sqlite3.Connection, record: dict[str, Any]) -> int:
        row = {key: record[key], **{c: record.get(c) for c in columns},
               "record": json.dumps(record)}
        return _insert(conn, table, row)
    return write


def _write_mail(conn: sqlite3.Connection, record: dict[str, Any]) -> int:
    row = mail_row(mail_from_record(record))
    return _insert(conn, "mail_queue", {c: row[c] for c in MAIL_COLUMNS})


def _write_columns(table: str, columns: Sequence[str]):
    def write(conn: sqlite3.Connection, record: dict[str, Any]) -> int:
        return _insert(conn, table, {c: record.get(c) for c in columns})
    return write


def _stored_lifts(conn: sqlite3.Connection, record: dict[str, Any]) -> list[int]:
    """The ids of lift rows that hold this very record. A lift has no key of its own
    (an id the store counts), so it is known by its address, moment and content."""
    lift = lift_to_record(lift_from_record(record))
    rows = conn.execute("SELECT id, record FROM mail_suppression_lifts "
                        "WHERE address = ? AND lifted_at = ?",
                        (address_key(lift["address"]), lift["lifted_at"])).fetchall()
    return [row[0] for row in rows
            if lift_to_record(lift_from_record(json.loads(row[1]))) == lift]


def _write_lift(conn: sqlite3.Connection, record: dict[str, Any]) -> int:
    if _stored_lifts(conn, record):
        return 0
    lift = lift_to_record(lift_from_record(record))
    return _insert(conn, "mail_suppression_lifts",
                   {"address": address_key(lift["address"]), "lifted_at": lift["lifted_at"],
                    "record": json.dumps(lift)})


_WRITERS = {
    "tickets": _write_ticket,
    "idempotency_keys": _write_columns("idempotency_keys", ("key", "fingerprint", "ticket")),
    "known_issue_links": _write_columns("known_issue_links", ("issue", "ticket", "linked_at")),
    "organizations": _write_json_row("organizations", "id"),
    "accounts": _write_json_row("accounts", "email", "organization"),
    "counters": _write_counter,
    "mail": _write_mail,
    "suppressions": _write_columns("mail_suppressions",
                                   ("address", "reason", "detail", "created_at")),
    "suppression_lifts": _write_lift,
    "refused": _write_columns("refused_mail", REFUSED_COLUMNS),
    "uploads": _write_columns("uploads", UPLOAD_COLUMNS),
}


# -- erase (services/erase.py): records rewritten or removed, and what is not exported ----

class SQLiteErase(SQLiteExport):
    """The erase side of the DataPort: the same records, replaced or deleted by key."""

    def delete_records(self, kind: str, records: Sequence[dict[str, Any]]) -> None:
        with self.store._write() as conn:
            for record in records:
                _DELETERS[kind](conn, record)

    def rewrite_tickets(self, pairs: Sequence[tuple[dict, dict]]) -> list[int]:
        """Each (line as read, line rewritten): the rewritten one in place of its ticket
        where the ticket, its messages, events and rating are still as read, checked in
        the write transaction. The numbers of those that changed since (not written:
        services/erase.py reads them again), so a reply or rating added meanwhile stays."""
        stale = []
        with self.store._write() as conn:
            for seen, line in pairs:
                number = int(seen["ticket"]["number"])
                if [now for _, now in _tickets(conn, number - 1, 1)] != [seen]:
                    stale.append(number)
                    continue
                _replace_ticket(conn, line)
        return stale

    def replace_ticket(self, line: dict[str, Any], *, expected_version: int) -> bool:
        """Retention's rewrite of one ticket's line, only while the stored ticket is at
        `expected_version` (the one the line was worked out from) and rated only if the
        line is (a rating takes no version), checked in the write transaction: False,
        writing nothing, when a reply, reopen or rating came since."""
        number = int(line["ticket"]["number"])
        with self.store._write() as conn:
            row = conn.execute("SELECT version, EXISTS (SELECT 1 FROM ratings WHERE "
                               "ticket = number) FROM tickets WHERE number = ?",
                               (number,)).fetchone()
            if row is None or (row[0], bool(row[1])) != (expected_version,
                                                         bool(line.get("rating"))):
                return False
            _replace_ticket(conn, line)
        return True

    def read_tickets(self, numbers: Sequence[int]) -> list[tuple[str, dict[str, Any]]]:
        """("tickets", line) for each of these tickets there is, from one snapshot."""
        conn = self._snapshot()
        try:
            return [("tickets", line) for number in numbers
                    for _, line in _tickets(conn, number - 1, 1)
                    if line["ticket"]["number"] == number]
        finally:
            conn.close()

    def rewrite_mail(self, records: Sequence[dict[str, Any]], rewrite, *,
                     made_from: Sequence[str] = ()) -> int:
        """Each of these mails, and every mail whose id begins with one of `made_from`
        (queued from them since: services/erase.py), read again and rewritten by
        `rewrite` (removed where it gives None) in one write transaction: a dispatcher's
        claim or outcome since the erasure's snapshot stays (an erasure never puts an
        older state back: a sent mail queued again, a claim undone), and a mail removed
        meanwhile stays gone. How many changed."""
        with self.store._write() as conn:
            ids = dict.fromkeys([r["id"] for r in records] + [
                row[0] for prefix in made_from for row in conn.execute(
                    "SELECT id FROM mail_queue WHERE id >= ? AND id < ?",
                    (prefix, prefix + "\U0010ffff"))])
            return _rewrite_by_key(conn, "mail", ids, rewrite)

    def rewrite_records(self, kind: str, records: Sequence[dict[str, Any]], rewrite) -> int:
        """Each of these records of `kind` (not tickets, not mail: above) read again by
        its key and rewritten by `rewrite` in one write transaction, so what another
        writer changed since the erasure's snapshot stays (a new password, a session
        epoch, an organization's products) and a record removed meanwhile (a suppression
        lifted) stays gone. A suppression's lift, which has no key of its own, is found
        by its content, and its old record goes in the transaction its new one comes
        in: a crash leaves one of them. How many changed."""
        with self.store._write() as conn:
            if kind == "suppression_lifts":
                return sum(_rewrite_lift(conn, record, rewrite) for record in records)
            _, key = _KEYS[kind]
            return _rewrite_by_key(conn, kind, [r[key] for r in records], rewrite)

    def erase_chunk(self, eraser, cursor: str | None, *, limit: int) -> str | None:
        """One step of an erasure (services/erase.py): `limit` tickets from the cursor
        (`tickets:<last number>`), then every other record at once (`others`: the
        person's own records and the few that name them), then what is never exported
        (`sessions`). Each step's writes are one transaction a kind, and each is
        idempotent (a rewritten record no longer names the person)."""
        step, _, after = (cursor or "tickets:0").partition(":")
        if step == "sessions":
            removed = self.erase_unexported(eraser.address)
            eraser.count(eraser.erasure.removed, "sessions, links and counters", removed)
            return None
        conn = self._snapshot()
        try:
            if step == "others":
                records = list(_other_records(conn))
            else:
                records = list(_tickets(conn, int(after), limit))
        finally:
            conn.close()
        eraser.apply(self, records)
        if step == "others":
            # Lifts made since the snapshot, from a suppression that named the person.
            eraser.apply(self, self.read_lifts(eraser.lift_addresses(records)))
            return "sessions"
        if len(records) < limit:
            return "others"
        return f"tickets:{records[-1][1]['ticket']['number']}"

    def read_lifts(self, addresses: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        """("suppression_lifts", record) for every lift of these addresses stored now."""
        conn = self._snapshot()
        try:
            return [found for address in addresses for found in _read(
                conn, "suppression_lifts", " WHERE address = ? ORDER BY id",
                (address_key(address),))]
        finally:
            conn.close()

    def erase_unexported(self, address: str) -> int:
        """Sessions, one-time links and rate-limit counters of `address`: never
        exported, so found here by what they hold. How many went."""
        with self.store._write() as conn:
            return sum(conn.execute(sql, (address,)).rowcount for sql in (
                "DELETE FROM sessions WHERE lower(email) = lower(?)",
                "DELETE FROM one_time_tokens WHERE lower(email) = lower(?)",
                "DELETE FROM hit_counters WHERE instr(lower(key), lower(?)) > 0"))


def _rewrite_by_key(conn: sqlite3.Connection, kind: str, keys, rewrite) -> int:
    """The records of `kind` with these keys as the write transaction finds them, each
    rewritten by `rewrite` where that changes it (under its old key: the rewrite may
    change the key, a counter named by the address), or removed where it gives None
    (a notice queued to the person since the read); one gone meanwhile stays gone.
    How many changed."""
    table, key = _KEYS[kind]
    changed = 0
    for value in keys:
        now = next((found for _, found in _read(conn, kind, f" WHERE {key} = ?", (value,))),
                   None)
        if now is not None and (new := rewrite(now)) != now:
            conn.execute(f"DELETE FROM {table} WHERE {key} = ?", (value,))
            if new is not None:
                _WRITERS[kind](conn, new)
            changed += 1
    return changed


def _rewrite_lift(conn: sqlite3.Connection, record: dict[str, Any], rewrite) -> int:
    """The lift `record` rewritten by `rewrite` (removed where it gives None) if it is
    still stored; 1 when it changed."""
    found = _stored_lifts(conn, record)
    if not found or (new := rewrite(record)) == record:
        return 0
    conn.executemany("DELETE FROM mail_suppression_lifts WHERE id = ?",
                     [(row_id,) for row_id in found])
    if new is not None:
        _write_lift(conn, new)
    return 1


def _replace_ticket(conn: sqlite3.Connection, line: dict[str, Any]) -> None:
    """The ticket row, its messages and rating as `line` has them (same number)."""
    ticket = ticket_to_record(ticket_from_record(line["ticket"]))
    columns = [c for c in TICKET_COLUMNS if c != "number"]
    conn.execute(f"UPDATE tickets SET {', '.join(f'{c} = ?' for c in columns)} "
                 "WHERE number = ?", [ticket[c] for c in columns] + [ticket["number"]])
    conn.execute("DELETE FROM messages WHERE ticket = ?", (ticket["number"],))
    conn.execute("DELETE FROM ratings WHERE ticket = ?", (ticket["number"],))
    for message in line["messages"]:
        record = message_to_record(message_from_record(message))
        _insert(conn, "messages", {**record, "ticket": ticket["number"],
                                   "public": int(record["public"])})
    if line.get("rating"):
        _insert(conn, "ratings", rating_to_record(rating_from_record(line["rating"])))
    _replace_events(conn, ticket["number"], line.get("events") or ())
    _index_words(conn, line)


def _replace_events(conn: sqlite3.Connection, number: int, events) -> None:
    """An erasure is the one change the append-only events take (the person becomes
    the placeholder, kinds and moments stay): the triggers that refuse it are dropped
    and made again from their own migration, inside the erasure's transaction."""
    triggers = re.findall(r"CREATE TRIGGER .*?\bEND\b", EVENTS_MIGRATION, re.DOTALL)
    for trigger in triggers:
        name = trigger.split()[2]
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute("DELETE FROM ticket_events WHERE ticket = ?", (number,))
    _insert_events(conn, events)
    for trigger in triggers:
        conn.execute(trigger)


_KEYS = {"tickets": ("tickets", "number"), "accounts": ("accounts", "email"),
         "organizations": ("organizations", "id"), "mail": ("mail_queue", "id"),
         "suppressions": ("mail_suppressions", "address"), "refused": ("refused_mail", "id"),
         "uploads": ("uploads", "id"), "idempotency_keys": ("idempotency_keys", "key"),
         "counters": ("counters", "name")}


def _deleting(kind: str):
    table, key = _KEYS[kind]

    def delete(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
        conn.execute(f"DELETE FROM {table} WHERE {key} = ?", (record[key],))
    return delete


def _delete_lift(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
    conn.executemany("DELETE FROM mail_suppression_lifts WHERE id = ?",
                     [(row_id,) for row_id in _stored_lifts(conn, record)])


def _delete_link(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
    conn.execute("DELETE FROM known_issue_links WHERE issue = ? AND ticket = ?",
                 (record["issue"], int(record["ticket"])))


_DELETERS = {kind: _deleting(kind) for kind in _KEYS}
_DELETERS.update(suppression_lifts=_delete_lift, known_issue_links=_delete_link)
