"""The desk speaks to agents: statuses by their agent labels (the customer's label where
the workflow gives none), only the workflow's statuses in the filter, form field ids
as their form labels, choice values as their labels, times in the calendar's zone."""

from __future__ import annotations

import re

import pytest

from loket.services.status import set_status
from loket.services.submission import submit_ticket
from tests.api.conftest import VALID
from tests.desk.conftest import AGENT, sign_in_as


@pytest.fixture
def agent(desk_services, client):
    return sign_in_as(desk_services, client, AGENT)


def submit(services, **fields):
    receipt = submit_ticket(services, {**VALID, "email": "zed@elsewhere.example", **fields},
                            client_address="test:labels")
    return receipt.ticket.number


def options(html: str, select_id: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_the_filter_lists_only_the_workflows_statuses_by_agent_label(desk_services, client,
                                                                      agent):
    html = client.get("/desk/").get_data(as_text=True)
    choices = dict(options(html, "loket-desk-category"))
    statuses = desk_services.config.statuses
    assert list(choices) == ["active", "all", *(f"status:{s}" for s in statuses)]
    assert choices["status:waiting-on-customer"] == "Waiting on customer"
    assert "Waiting on you" not in html
    # A status without an agent label shows its customer label.
    assert choices["status:in-progress"] == statuses["in-progress"].label("en")
    # "on-hold" is a category the workflow has no status in: not offered.
    assert "on-hold" not in choices


def test_a_status_filter_shows_that_status_only(desk_services, client, agent):
    waiting, other = submit(desk_services), submit(desk_services)
    set_status(desk_services, waiting, "waiting-on-customer")
    html = client.get("/desk/?category=status:waiting-on-customer").get_data(as_text=True)
    assert re.findall(r'<tr data-number="(\d+)"', html) == [str(waiting)]
    assert '<td class="loket-status">Waiting on customer</td>' in html
    assert str(other) not in re.findall(r'<tr data-number="(\d+)"', html)
    assert client.get("/desk/?category=status:nonsense").status_code == 422


def test_the_ticket_page_shows_form_labels_agent_labels_and_local_times(desk_services,
                                                                          client, agent):
    number = submit(desk_services, users_affected=3, environment="production")
    set_status(desk_services, number, "waiting-on-customer")
    html = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    assert "<dt>How many users are affected?</dt><dd>3</dd>" in html
    assert "<dt>Environment</dt><dd>Production</dd>" in html
    assert 'class="loket-type">Problem report</dd>' in html
    assert "users_affected" not in html and "problem-report" not in html
    assert ">Waiting on customer</dd>" in html and "Waiting on you" not in html
    # Submitted at 10:30 in Amsterdam (09:30 UTC), shown as Amsterdam reads it.
    assert "26 Nov 2026, 10:30 CET" in html and " UTC<" not in html
    dutch = client.get(f"/desk/tickets/{number}?lang=nl").get_data(as_text=True)
    assert "26 nov. 2026 10:30 CET" in dutch


def test_agent_label_falls_back_to_the_customer_label():
    from loket.domain.tickets import Status, StatusCategory

    plain = Status("open", StatusCategory.OPEN, {"en": "Open", "nl": "Open"})
    both = Status("w", StatusCategory.PENDING, {"en": "Waiting on you", "nl": "Wacht"},
                  agent_labels={"en": "Waiting on customer", "nl": "Wacht op klant"})
    assert plain.agent_label("nl") == "Open"
    assert both.agent_label("nl") == "Wacht op klant" and both.label("en") == "Waiting on you"
