"""A customer erased while the dispatcher expands the record that stands for a new
ticket's notices to the board's agents (services/agent_notices.expand_notices): the
record names them (address, subject, description) and the notices copy it, so an
erasure between the dispatcher's claim of the record and its expansion must leave the
notices without them (the store refuses an expansion of the record as claimed, and the
dispatcher expands the record as the erasure left it)."""

from __future__ import annotations

from loket.services.agent_notices import INTENT
from loket.services.erase import erase_person
from loket.services.mail_dispatch import send_queued
from loket.storage.data_port import data_port
from tests.desk.conftest import ANN
from tests.desk.test_agent_notice_expansion import SECOND, two_listeners
from tests.desk.test_agent_notices import AGENT, mails_to, submit


def test_notices_expanded_after_the_customer_was_erased_do_not_name_them(
        desk_services, people, outbox, monkeypatch):
    services = desk_services
    people.activate(ANN, first="Annemarie", last="Oosterhuis")
    two_listeners(services, people)
    ticket = submit(services)
    store = services.store
    real = store.list_agents
    erased = []

    def erased_while_expanding():  # the dispatcher has claimed the record by now
        if not erased:
            erased.append(erase_person(store, data_port(store), services.blobs, ANN))
        return real()

    monkeypatch.setattr(store, "list_agents", erased_while_expanding)
    send_queued(services)
    assert erased, "the expansion did not run"
    for agent in (AGENT, SECOND):
        [notice] = mails_to(outbox, agent, f"[#{ticket.number}] New ticket")
        text = notice.as_string().casefold()
        assert ANN not in text and "oosterhuis" not in text, agent
    assert [m for m in store.list_mail(pending=True) if m.kind == INTENT] == []
