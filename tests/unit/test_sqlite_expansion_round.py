"""A dispatcher's round of agent-notice expansions stored in one SQLite write
(SQLiteMailQueue.expand_mails, #13 e28f884) leaves what the same expansions leave
written one at a time (expand_mail, a write each), as the dispatcher wrote them before:
the same answers and the same queue, over rounds that mix records still as claimed,
claimed again since (stale), given without a claim, expanded twice, and notices queued
already (waiting with the same or other data, or sent)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from loket.domain.outgoing import MailState
from loket.storage.sqlite import SQLiteStore
from tests.contract.test_mail_expansion_contract import done
from tests.contract.test_mail_queue_contract import LEASE, T0, mail

INTENTS = 3


def notices(n: int) -> list:
    return [replace(mail(to=f"agent{a}@nordwind.example", kind="agent-notice", ticket=n,
                         note="first"), id=f"intent-{n}-{a}", message_id=f"<n-{n}-{a}@x>")
            for a in range(2)]


def prepared(path: Path, queued_before: list[str]) -> tuple[SQLiteStore, list]:
    """A store whose INTENTS agent-notices records are claimed, with the notices an
    earlier expansion queued already: per notice, none, 'same' or 'other' data waiting,
    or 'sent'."""
    store = SQLiteStore(path)
    store.enqueue_mail([replace(mail(to="agents", kind="agent-notices", ticket=n),
                                id=f"intent-{n}") for n in range(INTENTS)])
    claimed = store.claim_mail(T0, T0 + LEASE)
    earlier = [notice for n in range(INTENTS) for notice in notices(n)]
    for notice, how in zip(earlier, queued_before):
        if how in ("same", "sent"):
            store.enqueue_mail([notice])
        elif how == "other":
            store.enqueue_mail([replace(notice, data={**notice.data, "note": "other"})])
        if how == "sent":
            store.update_mail(replace(notice, state=MailState.SENT, attempts=1, sent_at=T0,
                                      next_attempt_at=None))
    return store, claimed


def queue(store: SQLiteStore) -> list:
    return [tuple(row) for row in store._connection().execute(
        "SELECT * FROM mail_queue ORDER BY id")]


expansion = st.tuples(st.integers(0, INTENTS - 1), st.sampled_from(["claimed", "stale", None]),
                      st.sampled_from([(), (0,), (0, 1)]))


@settings(derandomize=True, max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([None, "same", "other", "sent"]), min_size=2 * INTENTS,
                max_size=2 * INTENTS),
       st.lists(expansion, min_size=1, max_size=5))
def test_a_round_in_one_write_leaves_what_one_write_each_leaves(queued_before, round_):
    with tempfile.TemporaryDirectory() as folder:
        together, claimed = prepared(Path(folder, "together.db"), queued_before)
        alone, _ = prepared(Path(folder, "alone.db"), queued_before)
        expansions = []
        for n, seen, which in round_:
            record = claimed[n]
            seen_as = {"claimed": record, "stale": replace(record, next_attempt_at=T0),
                       None: None}[seen]
            expansions.append((done(record), [notices(n)[a] for a in which], seen_as))
        answers = together.expand_mails(expansions)
        assert answers == [alone.expand_mail(intent, mails, seen=seen)
                           for intent, mails, seen in expansions]
        assert queue(together) == queue(alone)
        together.close()
        alone.close()
