"""The e-mails about a ticket's progress: every kind has its three templates in both
languages, they thread under the receipt, and they escape what people wrote."""

from __future__ import annotations

from importlib.resources import files

import pytest

from loket.mail.compose import TEMPLATE_FILES
from tests.workflow.conftest import CUSTOMER, text_of

KINDS = ("receipt", "status-change", "reminder", "agent-reply", "review-board")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_mail_has_its_three_templates(kind, lang):
    folder = files("loket.mail").joinpath("templates", kind, lang)
    assert sorted(p.name for p in folder.iterdir()) == sorted(TEMPLATE_FILES)


@pytest.fixture
def desk(make_desk):
    return make_desk("review-board", "2026-11-30 09:30")


def test_an_answer_is_escaped_in_html_and_kept_in_text(desk):
    number = desk.submit(subject="Fails <b>& co</b>")
    desk.assign(number, "planning-team")
    desk.agent_replies(number, "Try <script>alert(1)</script> & reboot.\nThen call us.")
    desk.dispatch()
    answer = next(m for m in desk.mailbag.sent if m["Subject"].startswith(f"[#{number}] Re:"))
    html = answer.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; reboot." in html
    assert "Try <script>alert(1)</script> & reboot.\nThen call us." in text_of(answer)
    assert answer["To"] == CUSTOMER
    assert answer["In-Reply-To"] == answer["References"] == f"<ticket-{number}@nordwind.example>"
    board = desk.last_mail()
    assert "Fails &lt;b&gt;&amp; co&lt;/b&gt;" in board.get_body(("html",)).get_content()


def test_an_internal_note_mails_no_one_and_is_no_first_response(desk):
    number = desk.submit()
    desk.assign(number, "planning-team")
    desk.mails()
    from loket.services.status import agent_reply

    agent_reply(desk.services, number, "Customer is on the old version.", agent="piet",
                public=False)
    assert desk.mails() == []
    assert desk.ticket(number).first_response_at is None
    assert not desk.services.store.list_messages(number)[-1].public
