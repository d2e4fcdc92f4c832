"""Invitation e-mails (issue #11, mails): in the invitee's language, the link's life in
words ("7 days", not "168 hours"), and an agent's invitation that speaks to an agent;
read from the sent MIME."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loket.domain.accounts import Role
from loket.mail.durations import describe_duration
from loket.services.accounts import invite
from loket.services.mail_dispatch import send_queued
from tests.accounts.conftest import link_in
from tests.api.conftest import Outbox


@pytest.fixture
def sent(services, tmp_path):
    def read():
        send_queued(services)
        return Outbox(tmp_path / "outbox", services).messages()
    return read


def text(mail) -> str:
    return " ".join(mail.get_body(("plain",)).get_content().split())


@pytest.mark.parametrize("lang, words", [("en", "for 7 days"), ("nl", "7 dagen lang"),
                                         ("de", "7 Tage lang")])
def test_a_customer_invitation_in_their_language_says_days(services, people, sent, lang,
                                                           words):
    invite(services, "new@acme.example", organization="acme", products=["planner"],
           language=lang)
    mail = sent()[-1]
    assert mail["To"] == "new@acme.example"
    assert words in text(mail) and "168" not in text(mail)
    assert ("Uw supportaccount" in mail["Subject"]) == (lang == "nl")
    assert ("Ihr Support-Konto" in mail["Subject"]) == (lang == "de")


@pytest.mark.parametrize("lang, welcome", [("en", "Create my account"),
                                           ("nl", "Mijn account aanmaken"),
                                           ("de", "Mein Konto anlegen")])
def test_the_invitation_link_lands_on_a_page_in_the_invitations_language(
        services, people, sent, client, lang, welcome):
    invite(services, "new@acme.example", organization="acme", products=["planner"],
           language=lang)
    link = link_in(sent()[-1], "invitations")
    assert link.endswith(f"?lang={lang}")
    page = client.get(link).get_data(as_text=True)
    assert welcome in page and f'action="/portal/invitations/' in page
    assert f"?lang={lang}" in page.split('action="', 1)[1].split('"', 1)[0]


def test_an_agent_invitation_speaks_to_an_agent(services, people, sent):
    invite(services, "piet.new@nordwind.example", organization=None, products=["planner"],
           role=Role.AGENT, language="nl")
    mail = sent()[-1]
    assert mail["Subject"].startswith("Uw agentaccount op de supportdesk")
    body = text(mail)
    assert "supportmedewerker" in body and "7 dagen lang" in body
    assert "Daar dient u meldingen in" not in body  # Not the customer's words.
    assert "supportmedewerker" in mail.get_body(("html",)).get_content()


@pytest.mark.parametrize("duration, lang, words", [
    (timedelta(days=7), "en", "7 days"), (timedelta(days=1), "nl", "1 dag"),
    (timedelta(hours=36), "en", "36 hours"), (timedelta(hours=1), "nl", "1 uur"),
    (timedelta(minutes=30), "nl", "30 minuten"), (timedelta(seconds=90), "en", "2 minutes"),
    (timedelta(days=2), "de", "2 Tage"), (timedelta(hours=1), "de", "1 Stunde"),
    (timedelta(days=2), "fr", "2 days"),  # No catalog: English.
])
def test_durations_in_words(duration, lang, words):
    assert describe_duration(duration, lang) == words
