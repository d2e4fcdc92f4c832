"""A batch of new tickets (storage/sqlite_group_commit.py: the fast path without
savepoints, its rerun with a savepoint per piece, the desk words written last) leaves
exactly what its writers leave when each writes alone, one after another: the same
outcome for every writer and the same rows (tickets, messages, events, queued mail,
idempotency keys, the ticket counter, live rate-limit counts, desk words), over batches
that mix accepted and refused pieces in every position, on real SQLite files. Then the
same holds for writers of several threads, whatever batches they happen to form."""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.domain.limits import HitLimit
from loket.domain.outgoing import OutgoingMail
from loket.storage.desk_queries import TicketSearch
from loket.storage.sqlite import SQLiteStore
from loket.storage.sqlite_group_commit import _Piece, _write_batch, write_alone
from tests.contract.test_store_contract import T0, new_ticket
from tests.contract.test_submission_limits_contract import HOUR

NEXT_HOUR = HOUR + timedelta(hours=1)
WORDS = ["apple", "banana", "cherry", "damson", "elder", "fig", "grape", "hazel"]


@dataclass(frozen=True)
class Writer:
    """One submission: what it asks, and how it may be refused."""

    word: str
    kind: str       # plain | mails | broken | taken-mail
    key: str | None = None
    fingerprint: str = ""
    per_hour: int | None = None   # a rate limit, counted in `window`
    window: str = "this"          # this | next hour (the expired counters' removal)


def limit(writer: Writer) -> list[HitLimit]:
    if writer.per_hour is None:
        return []
    start = HOUR if writer.window == "this" else NEXT_HOUR
    return [HitLimit("submit:192.0.2.1:hour", start, start + timedelta(hours=1),
                     writer.per_hour, "hour", 1800)]


def mails_for(writer: Writer):
    def receipt(ticket):
        return [OutgoingMail(kind="receipt", lang="en", to=ticket.email,
                             data={"n": ticket.number}, created_at=T0,
                             message_id=f"<ticket-{ticket.number}@example.com>",
                             ticket=ticket.number, id=f"receipt-{ticket.number}")]

    def broken(ticket):  # after the ticket's rows were written
        raise RuntimeError(f"no template for {writer.word}")

    def taken(ticket):  # a mail id already queued: SQLite refuses the INSERT
        return [OutgoingMail(kind="receipt", lang="en", to=ticket.email, data={},
                             created_at=T0, message_id="<m@example.com>", id="taken")]

    return {"plain": None, "mails": receipt, "broken": broken, "taken-mail": taken}[writer.kind]


writers = st.builds(
    Writer, word=st.sampled_from(WORDS),
    kind=st.sampled_from(["plain", "mails", "mails", "broken", "taken-mail"]),
    key=st.none() | st.sampled_from(["k1", "k2"]), fingerprint=st.sampled_from(["a", "b"]),
    per_hour=st.none() | st.integers(0, 4), window=st.sampled_from(["this", "next"]))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A store that already holds a ticket with key k1, counted hits and a mail 'taken'
    (made once and copied: migrating a file per example is slow)."""
    path = tmp_path_factory.mktemp("group-commit") / "template.db"
    store = SQLiteStore(path)
    store.create_ticket(new_ticket("Earlier", access_key="earlier"), idempotency_key="k1",
                        fingerprint="a", hits=limit(Writer("", "plain", per_hour=9)),
                        mails=lambda t: [OutgoingMail(kind="receipt", lang="en", to=t.email,
                                                      data={}, created_at=T0,
                                                      message_id="<e@example.com>",
                                                      id="taken", ticket=t.number)])
    store._writer().execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the file
    store.close()
    return path


def prepared(template: Path, path: Path) -> SQLiteStore:
    shutil.copyfile(template, path)
    return SQLiteStore(path)


def work(store: SQLiteStore, writer: Writer, new):
    return lambda conn: store._create_ticket(conn, new, writer.key, writer.fingerprint,
                                             mails_for(writer), limit(writer))


def outcome(piece_or_call):
    """What the writer is told: its ticket's number and whether it was created, or its
    error's type and text."""
    try:
        ticket, queued, _ = piece_or_call()
    except Exception as refused:  # over a limit, a key's conflict, SQLite, a template
        return type(refused).__name__, str(refused)
    return ticket.number, queued is not None


def contents(store: SQLiteStore) -> dict:
    conn = store._connection()

    def rows(sql):
        return [tuple(row) for row in conn.execute(sql)]

    live = [HitLimit("submit:192.0.2.1:hour", start, start + timedelta(hours=1), 0, "hour", 1)
            for start in (HOUR, NEXT_HOUR)]
    return {
        "tickets": rows("SELECT * FROM tickets ORDER BY number"),
        "messages": rows("SELECT * FROM messages ORDER BY id"),
        "events": rows("SELECT * FROM ticket_events ORDER BY ticket, key"),
        "mail": rows("SELECT * FROM mail_queue ORDER BY id"),
        "keys": rows("SELECT * FROM idempotency_keys ORDER BY key"),
        "counter": rows("SELECT * FROM counters"),
        # Expired counters may stay a window longer (SQLiteStore._count_hits): the
        # live windows' counts are what a writer reads.
        "hits": [store.count_hit(h.key, h.window_start, h.expires_at, amount=0) for h in live],
        "words": rows("SELECT rowid, words FROM ticket_words ORDER BY rowid"),
        "found": {word: [t.number for t in store.search_tickets(
            TicketSearch(products=frozenset({"planner"}), words=(word,)))] for word in WORDS},
    }


@settings(derandomize=True, max_examples=50, deadline=None)
@given(st.lists(writers, min_size=1, max_size=6))
def test_a_batch_leaves_what_its_writers_leave_one_after_another(template, batch):
    news = [new_ticket(f"Broken {w.word}") for w in batch]  # one access key each, shared
    with tempfile.TemporaryDirectory() as folder:
        grouped = prepared(template, Path(folder, "grouped.db"))
        alone = prepared(template, Path(folder, "alone.db"))
        pieces = [_Piece(work(grouped, w, new)) for w, new in zip(batch, news)]
        _write_batch(grouped._write, pieces, grouped._index_created)
        # The general path: each writer in a transaction of its own, in the same order.
        expected = [outcome(lambda w=w, new=new: write_alone(
                        alone._write, work(alone, w, new), alone._index_created))
                    for w, new in zip(batch, news)]
        assert [outcome(piece.outcome) for piece in pieces] == expected
        assert contents(grouped) == contents(alone)
        for store in (grouped, alone):
            store.close()


def test_writers_of_many_threads_each_get_their_own_outcome_and_only_theirs_is_kept(tmp_path):
    # Whatever batches the threads form (a refused piece anywhere in them), each writer
    # is told its own outcome, and exactly the accepted writers' rows are stored.
    store = SQLiteStore(tmp_path / "loket.db")
    kinds = ["mails", "plain", "broken", "mails", "taken-mail"]
    batch = [Writer(f"w{i}x", kinds[i % len(kinds)], key=f"key-{i}", per_hour=60)
             for i in range(120)]
    with store._write() as conn:  # the mail id the 'taken-mail' writers collide with
        store._insert_mails(conn, [OutgoingMail(kind="receipt", lang="en", to="a@example.com",
                                                data={}, created_at=T0,
                                                message_id="<e@example.com>", id="taken")])

    def submit(writer: Writer):
        try:
            ticket, created = store.create_ticket(
                new_ticket(f"Ticket {writer.word}"), idempotency_key=writer.key,
                fingerprint="a", mails=mails_for(writer), hits=limit(writer))
        except Exception as refused:
            return type(refused).__name__, str(refused)
        return ticket.number, created

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = dict(zip(batch, pool.map(submit, batch)))
    accepted = {w: o[0] for w, o in outcomes.items() if isinstance(o[0], int)}
    for writer, told in outcomes.items():  # the limit is counted first, then the mails
        if writer in accepted:
            assert writer.kind in ("plain", "mails") and told[1] is True
        elif told[0] != "OverLimit":
            assert (writer.kind, told) in (
                ("broken", ("RuntimeError", f"no template for {writer.word}")),
                ("taken-mail", ("IntegrityError", "UNIQUE constraint failed: mail_queue.id")))
    assert len(accepted) == 60  # 72 could be, the limit takes 60
    numbers = sorted(accepted.values())
    assert numbers == list(range(10001, 10061))
    conn = store._connection()
    assert dict(conn.execute("SELECT number, subject FROM tickets").fetchall()) == \
        {n: f"Ticket {w.word}" for w, n in accepted.items()}
    assert [r[0] for r in conn.execute("SELECT ticket FROM messages ORDER BY ticket")] == numbers
    assert [r[0] for r in conn.execute("SELECT ticket FROM ticket_events ORDER BY ticket")] == \
        numbers
    assert sorted(r[0] for r in conn.execute("SELECT id FROM mail_queue")) == sorted(
        ["taken"] + [f"receipt-{n}" for w, n in accepted.items() if w.kind == "mails"])
    assert dict(conn.execute("SELECT key, ticket FROM idempotency_keys").fetchall()) == \
        {w.key: n for w, n in accepted.items()}
    assert conn.execute("SELECT value FROM counters").fetchone()[0] == 10060
    assert store.count_hit("submit:192.0.2.1:hour", HOUR, NEXT_HOUR, amount=0) == 60
    for writer in batch:
        search = TicketSearch(products=frozenset({"planner"}), words=(writer.word,))
        assert [t.number for t in store.search_tickets(search)] == (
            [accepted[writer]] if writer in accepted else [])
