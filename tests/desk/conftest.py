"""The agent desk over the real services (SQLite, a fixed clock) with a workflow that
has an SLA (the application-management preset), the people of the rights matrix, a
second agent on the payroll board, and a few tickets."""

from __future__ import annotations

import dataclasses
import html as html_lib
import re

import pytest

from loket.clock import FixedClock
from loket.domain.accounts import Role
from loket.services.accounts import invite
from tests.accounts.conftest import (AGENT, ANN, BEA, CARL, PASSWORD, People,  # noqa: F401
                                     app, client, outbox, people, services, sign_in_as)
from tests.workflow.conftest import local, preset_config

PAYROLL_AGENT = "payroll-desk@nordwind.example"


@pytest.fixture
def clock():
    # A Thursday morning in Amsterdam: inside working hours, so the SLA clock runs.
    return FixedClock(local("2026-11-26 10:30"))


@pytest.fixture
def desk_services(services, people):
    services.config = preset_config("application-management")
    services.config.submissions.per_hour = 10_000
    invite(services, PAYROLL_AGENT, organization=None, products=["payroll"], role=Role.AGENT)
    people.activate(PAYROLL_AGENT)
    return services


@pytest.fixture
def admin_services(desk_services):
    """The planner board's agent is a desk admin; the payroll agent is not."""
    config = desk_services.config
    desk_services.config = dataclasses.replace(
        config, accounts=config.accounts.model_copy(update={"desk_admins": [AGENT]}))
    return desk_services


def text(response) -> str:
    """A response's page as text: entities read, blanks folded."""
    return html_lib.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))
