"""A new ticket's notices to its board's agents (#12) are queued as one record in the
ticket's write and expanded by the dispatcher into an e-mail per agent who asks for
them (services/agent_notices.py): the submission reads no account, and a dispatcher
that expands twice (it delivers at least once) sends no agent two notices, each
with one Message-ID."""

from __future__ import annotations

from dataclasses import replace

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.domain.accounts import Role
from loket.domain.outgoing import MailState
from loket.services.accounts import invite
from loket.services import agent_notices
from loket.services.agent_notices import INTENT, expand_notices
from loket.services.mail_dispatch import send_queued
from tests.desk.conftest import AGENT, PAYROLL_AGENT, sign_in_as
from tests.desk.test_agent_notices import choose, mails_to, submit

SECOND = "planner-second@nordwind.example"


def two_listeners(services, people):
    invite(services, SECOND, organization=None, products=["planner"], role=Role.AGENT)
    people.activate(SECOND)
    for agent in (AGENT, SECOND, PAYROLL_AGENT):
        choose(services, agent, new_tickets=True)


def test_a_submission_queues_one_record_for_the_board_and_reads_no_account(
        desk_services, people, outbox, monkeypatch):
    services = desk_services
    two_listeners(services, people)
    reads = []
    real = services.store.list_agents
    monkeypatch.setattr(services.store, "list_agents", lambda: reads.append(1) or real())
    ticket = submit(services)
    assert reads == []
    [record] = [m for m in services.store.list_mail(pending=True) if m.kind == INTENT]
    # What the queue page and `loket mail queue` show for it.
    assert (record.to, record.ticket, record.state) == ("agents of planner", ticket.number,
                                                        MailState.PENDING)
    send_queued(services)  # one call sends the notices it queued too
    assert reads == [1]
    for agent in (AGENT, SECOND):
        assert len(mails_to(outbox, agent, f"[#{ticket.number}] New ticket")) == 1
    assert mails_to(outbox, PAYROLL_AGENT, f"[#{ticket.number}]") == []
    assert services.store.get_mail(record.id).state is MailState.SENT
    assert services.store.list_mail(pending=True) == []


def test_an_expansion_cut_short_and_repeated_sends_each_agent_one_notice(
        desk_services, people, outbox, monkeypatch):
    services = desk_services
    two_listeners(services, people)
    ticket = submit(services)
    store = services.store
    real_expand = store.expand_mails

    def dies_after_the_first(expansions):
        [(_, mails, _)] = expansions
        store.enqueue_mail(mails[:1])
        raise ConnectionError("the store went away")

    monkeypatch.setattr(store, "expand_mails", dies_after_the_first)
    send_queued(services)
    [first] = [m for m in store.list_mail(pending=True) if m.kind == "agent-notice"]
    [record] = [m for m in store.list_mail(pending=True) if m.kind == INTENT]
    assert record.attempts == 1 and "store went away" in record.last_error

    monkeypatch.setattr(store, "expand_mails", real_expand)
    services.clock.move(minutes=5)  # the record's retry is due
    send_queued(services)
    expand_notices(services, record)  # a late copy of the first dispatcher, too
    send_queued(services)

    notices = {agent: mails_to(outbox, agent, f"[#{ticket.number}] New ticket")
               for agent in (AGENT, SECOND)}
    assert [len(found) for found in notices.values()] == [1, 1]
    assert notices[first.to][0]["Message-ID"].strip() == first.message_id
    assert store.list_mail(pending=True) == []


def test_the_expansion_of_one_record_is_the_same_every_time(desk_services, people,
                                                            monkeypatch):
    services = desk_services
    two_listeners(services, people)
    submit(services)
    [record] = [m for m in services.store.list_mail(pending=True) if m.kind == INTENT]
    runs = []
    for _ in range(2):
        queued = []
        monkeypatch.setattr(services.store, "expand_mails",
                            lambda expansions, queued=queued:
                            [queued.extend(mails) or True for _, mails, _ in expansions])
        expand_notices(services, record)
        runs.append(sorted((m.to, m.id, m.message_id) for m in queued))
    assert runs[0] == runs[1] and len(runs[0]) == 2
    assert all(mid.startswith(f"<agent-{record.ticket}.") for _, _, mid in runs[0])
    assert len({mail_id for _, mail_id, _ in runs[0]}) == 2


def test_no_listener_no_notice(desk_services, outbox):
    services = desk_services
    ticket = submit(services)
    [record] = [m for m in services.store.list_mail(pending=True) if m.kind == INTENT]
    send_queued(services)
    assert services.store.get_mail(record.id).state is MailState.SENT
    assert mails_to(outbox, AGENT, f"[#{ticket.number}]") == []


def test_the_desk_s_mail_page_shows_the_record_until_it_is_expanded(desk_services, client):
    services = desk_services
    ticket = submit(services)
    [record] = [m for m in services.store.list_mail(pending=True) if m.kind == INTENT]
    sign_in_as(services, client, AGENT)
    html = client.get("/desk/mail/").get_data(as_text=True)
    row = html[html.index(f'<tr data-mail="{record.id}"'):]
    row = row[:row.index("</tr>")]
    assert "agent-notices" in row and "agents of planner" in row and f"#{ticket.number}" in row
    send_queued(services)
    assert f'data-mail="{record.id}"' not in client.get("/desk/mail/").get_data(as_text=True)


def test_a_round_expands_its_records_with_one_store_write(desk_services, people, outbox,
                                                          monkeypatch):
    # The mail process writes beside the server's writers (another process on SQLite):
    # a round's records go in one expand_mails, and a record no agent listens to is
    # marked done with the round's outcomes (update_mails), not in a write of its own.
    services = desk_services
    calls = []
    for name in ("expand_mails", "update_mails"):
        real = getattr(services.store, name)
        monkeypatch.setattr(services.store, name,
                            lambda *a, real=real, name=name, **k:
                            calls.append(name) or real(*a, **k))
    for _ in range(3):
        submit(services)
    send_queued(services)
    assert calls == ["update_mails"]  # 3 receipts and 3 records, no listener
    two_listeners(services, people)
    tickets = [submit(services) for _ in range(3)]
    calls.clear()
    send_queued(services)
    assert calls.count("expand_mails") == 1
    for ticket in tickets:
        assert len(mails_to(outbox, AGENT, f"[#{ticket.number}] New ticket")) == 1
    assert services.store.list_mail(pending=True) == []


def _former_expanded(services, intent, agent, facts):
    # The reference oracle: _expanded before #13 (817c3b1^), which hashed the intent's
    # id and address twice, once for the nonce and once more in notice_id.
    seed = agent_notices._seed(intent.id, agent.email)
    mail = agent_notices._notice(services, facts, agent, nonce=seed[:12],
                                 created_at=intent.created_at)
    return replace(mail, id=agent_notices.notice_id_prefix(intent.id)
                   + agent_notices._seed(intent.id, agent.email)[12:20])


@pytest.fixture
def intent_record(desk_services):
    """The agents' notices record a submission queued."""
    submit(desk_services)
    [record] = [m for m in desk_services.store.list_mail(pending=True) if m.kind == INTENT]
    return record


@hypothesis.settings(derandomize=True, max_examples=150, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="0123456789abcdef", min_size=0, max_size=32),
       st.sampled_from([AGENT, AGENT.upper(), SECOND, "Ünï.Agent+desk@nordwind.example",
                        "a@b.example"]),
       st.sampled_from(["en", "nl", "de", "xx"]))
def test_an_expanded_notice_is_the_one_the_former_expansion_made(
        desk_services, intent_record, intent_id, address, language):
    # #13: one hash of the intent's id and address for both the nonce of the signed
    # Message-ID and the notice's id. Same notice, same id and Message-ID as before.
    services = desk_services
    intent = replace(intent_record, id=intent_id)
    agent = replace(services.store.get_account(AGENT), email=address, language=language)
    got = agent_notices._expanded(services, intent, agent, intent.data)
    assert list(vars(got).items()) == list(vars(_former_expanded(
        services, intent, agent, intent.data)).items())
    assert got.id == agent_notices.notice_id(intent.id, address)
    assert got.message_id  # signed, with the nonce from the same hash
