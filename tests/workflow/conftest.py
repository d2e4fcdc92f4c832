"""A support desk for scenario tests: the real services over a store (SQLite and
DynamoDB under moto), a workflow preset from site_config/presets/, a fixed clock in
the business calendar's time zone, and mail caught in a list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.config.loader import load_yaml_model
from loket.config.model import AccountsConfig
from loket.config.workflow import WorkflowFile
from loket.domain.tickets import Ticket
from loket.services import status as use_cases
from loket.services.context import Services
from loket.services.replies import add_customer_reply
from loket.services.submission import submit_ticket
from loket.services.sweeper import SweepReport, sweep
from tests.paths import SITE_CONFIG

AMS = ZoneInfo("Europe/Amsterdam")
CUSTOMER = "ann@example.com"
PLANNER_BOARD = "planner-board@nordwind.example"
SUBMISSION = {"email": CUSTOMER, "product": "planner", "type": "problem-report",
              "subject": "Export to Excel fails", "description": "The export shows an error."}


def local(text: str) -> datetime:
    """'2026-12-18 14:00' in Amsterdam, as the people in the scenario read clocks."""
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


def preset_config(name: str):
    """The portal's config with the preset's workflow, and its accounts part if it has one."""
    folder = SITE_CONFIG / "presets" / name
    workflow = load_yaml_model(folder / "workflow.yml", WorkflowFile)
    config = replace(load_portal_config(SITE_CONFIG), workflow=workflow.build())
    if (folder / "accounts.yml").exists():
        config = replace(config, accounts=load_yaml_model(folder / "accounts.yml",
                                                          AccountsConfig))
    return config


class MailBag:
    """A mail sender that keeps what it is given."""

    def __init__(self):
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


class Desk:
    """The scenario's world: move the clock, act as customer or agent, sweep, and read
    the mail that went out since the last look."""

    def __init__(self, services: Services, clock: FixedClock, mail: MailBag):
        self.services, self.clock, self.mailbag = services, clock, mail
        self._read = 0

    def at(self, when: str) -> "Desk":
        self.clock.set(local(when))
        return self

    def submit(self, viewer=None, **changes) -> int:
        """Submit as anyone, or as a signed-in `viewer` (services/sessions.Viewer)."""
        receipt = submit_ticket(self.services, {**SUBMISSION, **changes},
                                client_address="203.0.113.7", viewer=viewer)
        return receipt.ticket.number

    def ticket(self, number: int) -> Ticket:
        return self.services.store.get_ticket(number)

    def status(self, number: int) -> str:
        return self.ticket(number).status

    def due(self, number: int) -> datetime | None:
        due = self.ticket(number).due_at
        return due.astimezone(AMS).replace(tzinfo=None) if due else None

    def sweep(self) -> SweepReport:
        return sweep(self.services)

    def customer_replies(self, number: int, body: str = "Here is what you asked for."):
        return add_customer_reply(self.services, number, body, author=CUSTOMER)

    def agent_replies(self, number: int, body: str = "Could you send the log file?",
                      status: str | None = None):
        return use_cases.agent_reply(self.services, number, body,
                                     agent="piet@nordwind.example", status=status)

    def set_status(self, number: int, status: str):
        return use_cases.set_status(self.services, number, status)

    def set_priority(self, number: int, impact: str, urgency: str):
        return use_cases.set_priority(self.services, number, impact, urgency)

    def assign(self, number: int, assignee: str):
        return use_cases.assign(self.services, number, assignee)

    def customer_closes(self, number: int, body: str | None = None):
        return use_cases.close_ticket(self.services, number, body=body)

    def customer_reopens(self, number: int):
        return use_cases.reopen_ticket(self.services, number)

    def customer_rejects(self, number: int, body: str | None = None):
        return use_cases.reject_solution(self.services, number, body=body)

    def mails(self) -> list[tuple[str, str]]:
        """(To, Subject) of every e-mail sent since the last call."""
        self.dispatch()
        new = self.mailbag.sent[self._read:]
        self._read = len(self.mailbag.sent)
        return [(m["To"], m["Subject"]) for m in new]

    def last_mail(self) -> EmailMessage:
        self.dispatch()
        return self.mailbag.sent[-1]

    def dispatch(self) -> None:
        """Send what the changes queued, as the mail loop or function does."""
        from loket.services.mail_dispatch import send_queued

        send_queued(self.services)


@pytest.fixture
def make_desk(store):
    """make_desk("preset-name", "2026-11-30 09:30") -> a Desk over the `store` fixture
    (so each scenario runs on SQLite and on DynamoDB)."""

    def make(preset: str, start: str) -> Desk:
        clock = FixedClock(local(start))
        mail = MailBag()
        services = Services(config=preset_config(preset), store=store, mail=mail,
                            clock=clock, base_url="https://support.nordwind.example",
                            mail_from="Nordwind Support <support@nordwind.example>")
        return Desk(services, clock, mail)

    return make


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()
