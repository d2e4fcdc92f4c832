"""An agent's answer by e-mail names the files that came with it (issue #11, mails),
read from the sent MIME."""

from __future__ import annotations

import io

from loket.services.attachments import InlineFile
from loket.services.status import agent_reply
from tests.api.conftest import VALID


def test_the_answer_names_its_attachments_with_sizes(client, services, outbox):
    number = client.post("/api/tickets", json={**VALID, "language": "nl"}).get_json()["number"]
    agent_reply(services, number, "Zie de bijlage.", agent="piet@nordwind.example",
                files=[InlineFile("fix.txt", io.BytesIO(b"x" * 3000), "text/plain")])
    mail = outbox.messages()[-1]
    text = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "Zie de bijlage." in text
    assert "Bijgevoegde bestanden (te openen op de pagina van de melding): - fix.txt (3 kB)" \
        in text
    assert "<li>fix.txt (3 kB)</li>" in mail.get_body(("html",)).get_content()


def test_an_answer_without_files_names_none(client, services, outbox):
    number = client.post("/api/tickets", json=VALID).get_json()["number"]
    agent_reply(services, number, "Which version?", agent="piet@nordwind.example")
    assert "Attached files" not in outbox.messages()[-1].get_body(("plain",)).get_content()
