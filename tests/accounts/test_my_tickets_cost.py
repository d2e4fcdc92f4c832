"""What a "my tickets" page costs on DynamoDB: the viewer's three reads and one Query
on an index, never a Scan, however many tickets the account has (bench/accounts_bench.py
prints the same for 1,000 tickets)."""

from __future__ import annotations

from collections import Counter

import pytest

from loket.domain.accounts import Account, Organization, Role, Visibility
from loket.storage.account_records import TicketQuery
from tests.contract.test_store_contract import T0, new_ticket
from tests.stores import make_store, store_sandbox

ACME = Organization(id="acme", name="Acme", created_at=T0, products=frozenset({"planner"}),
                    visibility=Visibility.ORGANIZATION)
ANN = Account(email="ann@acme.example", role=Role.CUSTOMER, created_at=T0, organization="acme",
              products=frozenset({"planner"}), password_hash="h")


@pytest.fixture
def dynamodb(tmp_path, monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        store = make_store("dynamodb", tmp_path)
        for i in range(120):
            store.create_ticket(new_ticket(f"t{i}" + (" needle" if i % 40 == 0 else ""),
                                           email=ANN.email, organization="acme"))
        store.create_organization(ACME)
        store.create_account(ANN)
        yield store


def test_a_page_of_my_tickets_is_three_reads_and_one_query(dynamodb):
    from loket.clock import FixedClock
    from loket.config import load_portal_config
    from loket.services.access import my_tickets
    from loket.services.context import Services
    from loket.services.sessions import start_session, viewer_of
    from tests.paths import SITE_CONFIG

    services = Services(config=load_portal_config(SITE_CONFIG), store=dynamodb, mail=None,
                        clock=FixedClock(T0), base_url="http://x", mail_from="x@x.example")
    secret, _ = start_session(services, ANN)
    calls: Counter = Counter()
    dynamodb.client.meta.events.register("before-parameter-build.dynamodb",
                                         lambda model, **_: calls.update([model.name]))
    viewer = viewer_of(services, secret)
    page = my_tickets(services, viewer)
    assert len(page.tickets) == 25 and page.next_after is not None
    assert calls == {"GetItem": 3, "Query": 1}
    calls.clear()
    my_tickets(services, viewer, after=page.next_after)
    assert calls == {"Query": 1}


def test_a_selective_filter_reads_on_in_growing_pages_never_scanning(dynamodb):
    calls: Counter = Counter()
    dynamodb.client.meta.events.register("before-parameter-build.dynamodb",
                                         lambda model, **_: calls.update([model.name]))
    found = dynamodb.list_tickets(TicketQuery(frozenset({"planner"}), account=ANN.email,
                                              text="needle"))
    assert len(found) == 3
    assert set(calls) == {"Query"} and calls["Query"] <= 3  # 26, then 104, then the rest
