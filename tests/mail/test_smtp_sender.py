"""The SMTP sender and the mail queue against a real SMTP server (aiosmtpd): refusals
are sorted into retries and failures, and an outage delays receipts, never loses or
doubles them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from email.message import EmailMessage

import pytest

from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.domain.outgoing import MailFailure, MailState
from loket.mail.smtp import SMTPMailer, SMTPServer as ServerURL
from loket.services.context import Services
from loket.services.mail_dispatch import retry_mail, send_queued
from loket.settings import Settings
from loket.storage.sqlite import SQLiteStore
from loket.web.app import create_app
from tests.mail.smtp_server import SMTPServer
from tests.paths import SITE_CONFIG

TICKET = {"email": "ann@example.com", "product": "planner", "type": "problem-report",
          "subject": "Export to Excel fails", "description": "The export shows an error."}
MAIL_FROM = "Nordwind Support <support@nordwind.example>"


@pytest.fixture
def server():
    smtp = SMTPServer().start()
    yield smtp
    smtp.stop()


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc))


def make_services(tmp_path, clock, url) -> Services:
    return Services(config=load_portal_config(SITE_CONFIG),
                    store=SQLiteStore(tmp_path / "loket.db"), mail=SMTPMailer(url, timeout=5),
                    clock=clock, base_url="http://portal.test", mail_from=MAIL_FROM)


def submit(services: Services, count: int = 1) -> list[int]:
    app = create_app(Settings(site_dir="/nonexistent", config_dir=SITE_CONFIG),
                     services=services)
    client = app.test_client()
    numbers = []
    for i in range(count):
        response = client.post("/api/tickets", json={**TICKET, "subject": f"Export {i}"},
                               environ_base={"REMOTE_ADDR": f"203.0.113.{i + 1}"})
        assert response.status_code == 201, response.get_json()
        numbers.append(response.get_json()["number"])
    return numbers


def a_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = MAIL_FROM
    message["To"] = "ann@example.com"
    message["Subject"] = "[#10001] We received your ticket"
    message["Message-ID"] = "<ticket-10001@nordwind.example>"
    message.set_content("Ticket 10001.\n")
    return message


def test_the_sender_delivers_mime_over_smtp(server):
    SMTPMailer(server.url).send(a_message())
    [got] = server.received
    assert got["Message-ID"] == "<ticket-10001@nordwind.example>"
    assert got["To"] == "ann@example.com" and "10001" in got["Subject"]


def test_a_4xx_answer_is_temporary_and_a_5xx_permanent(server):
    server.refuse_next("451 4.3.0 Try again later", "554 5.7.1 Message refused")
    with pytest.raises(MailFailure) as temporary:
        SMTPMailer(server.url).send(a_message())
    assert temporary.value.temporary and "451" in str(temporary.value)
    with pytest.raises(MailFailure) as permanent:
        SMTPMailer(server.url).send(a_message())
    assert not permanent.value.temporary and "554" in str(permanent.value)


def test_no_server_is_temporary():
    with pytest.raises(MailFailure) as failure:
        SMTPMailer(f"smtp://127.0.0.1:{SMTPServer().port}", timeout=5).send(a_message())
    assert failure.value.temporary


def test_a_password_is_never_sent_without_starttls(server):
    # aiosmtpd here offers no STARTTLS: the sender refuses before it logs in.
    with pytest.raises(MailFailure) as failure:
        SMTPMailer(f"smtp://ann:secret@127.0.0.1:{server.port}").send(a_message())
    assert not failure.value.temporary and "STARTTLS" in str(failure.value)
    assert server.received == []


def test_smtp_urls_are_read_with_their_defaults_and_bad_ones_refused():
    starttls = ServerURL.from_url("smtp://ann%40acme:p%3Ass@mail.example")
    assert (starttls.host, starttls.port, starttls.implicit_tls) == ("mail.example", 587, False)
    assert (starttls.user, starttls.password) == ("ann@acme", "p:ss")
    implicit = ServerURL.from_url("smtps://mail.example")
    assert (implicit.port, implicit.implicit_tls, implicit.user) == (465, True, None)
    with pytest.raises(ValueError, match="LOKET_SMTP_URL"):
        ServerURL.from_url("http://mail.example")


def test_a_refusal_then_acceptance_delivers_the_receipt_once(tmp_path, clock, server):
    services = make_services(tmp_path, clock, server.url)
    [number] = submit(services)
    server.refuse_next("421 4.7.0 Too busy, try later")
    assert send_queued(services).retrying == 1
    [waiting] = services.store.list_mail(pending=True)
    assert "421" in waiting.last_error and waiting.attempts == 1
    assert send_queued(services).sent == 0  # not due yet: the backoff holds it
    clock.move(minutes=1)
    assert send_queued(services).sent == 1
    [receipt] = server.received
    assert receipt["Message-ID"] == f"<ticket-{number}@nordwind.example>"
    assert services.store.get_mail(waiting.id).state is MailState.SENT


def test_a_permanent_refusal_is_kept_visible_and_can_be_retried(tmp_path, clock, server):
    services = make_services(tmp_path, clock, server.url)
    submit(services)
    server.refuse_next("550 5.1.1 No such user")
    assert send_queued(services).failed == 1
    [failed] = services.store.list_mail(pending=False)
    assert failed.state is MailState.FAILED and "550" in failed.last_error
    assert services.store.list_mail(pending=True) == []
    retry_mail(services, failed.id)
    assert send_queued(services).sent == 1
    assert [m["Message-ID"] for m in server.received] == [failed.message_id]


def test_temporary_failures_give_up_after_the_configured_time(tmp_path, clock):
    services = make_services(tmp_path, clock, f"smtp://127.0.0.1:{SMTPServer().port}")
    submit(services)
    for _ in range(12):  # an hour apart at most: two days of tries
        send_queued(services)
        clock.move(hours=5)
    [failed] = services.store.list_mail(pending=False)
    assert failed.state is MailState.FAILED and failed.last_error.startswith("gave up after")


def test_tickets_submitted_while_the_server_is_down_all_get_one_receipt(tmp_path, clock):
    down = SMTPServer()  # nothing listens on its port yet
    services = make_services(tmp_path, clock, down.url)
    numbers = submit(services, 5)
    assert send_queued(services).retrying == 5
    clock.move(minutes=1)
    assert send_queued(services).retrying == 5  # still down: tried again, kept
    down.start()
    try:
        clock.move(minutes=2)
        assert send_queued(services).sent == 5
        clock.move(hours=1)
        assert send_queued(services).sent == 0
        ids = Counter(m["Message-ID"] for m in down.received)
        assert ids == Counter({f"<ticket-{n}@nordwind.example>": 1 for n in numbers})
    finally:
        down.stop()


def test_a_dispatcher_that_died_mid_send_sends_again_with_the_same_message_id(
        tmp_path, clock, server):
    services = make_services(tmp_path, clock, server.url)
    [number] = submit(services)
    # A claim that never came back (the process died): the lease runs out...
    services.store.claim_mail(clock.now(), clock.now().replace(minute=35))
    assert send_queued(services).sent == 0
    clock.move(minutes=5)
    # ...and the mail goes: at least once, with the Message-ID it was queued with.
    assert send_queued(services).sent == 1
    assert server.received[0]["Message-ID"] == f"<ticket-{number}@nordwind.example>"
