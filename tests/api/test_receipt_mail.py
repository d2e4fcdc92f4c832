"""The receipt e-mail: a proper MIME message in the outbox, threaded, escaped."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from tests.api.conftest import VALID


def test_receipt_is_a_multipart_message_with_number_and_link(client, outbox):
    receipt = client.post("/api/tickets", json=VALID).get_json()
    [mail] = outbox.messages()
    assert mail["To"] == VALID["email"]
    assert mail["From"] == "Nordwind Support <support@nordwind.example>"
    assert f"[#{receipt['number']}]" in mail["Subject"] and VALID["subject"] in mail["Subject"]
    assert mail["Message-ID"] == f"<ticket-{receipt['number']}@nordwind.example>"
    assert parsedate_to_datetime(mail["Date"]).tzinfo is not None
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    for part in (text, html):
        assert str(receipt["number"]) in part
        assert receipt["lookup_url"] in part


def test_receipt_html_escapes_what_the_customer_wrote(client, outbox):
    client.post("/api/tickets", json={**VALID, "subject": "<b>bold</b> & co"})
    [mail] = outbox.messages()
    html = mail.get_body(("html",)).get_content()
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "<b>bold</b> & co" in mail.get_body(("plain",)).get_content()


def test_receipt_in_dutch_for_a_dutch_ticket(client, outbox):
    client.post("/api/tickets", json={**VALID, "language": "nl"})
    [mail] = outbox.messages()
    assert "Wij hebben uw melding ontvangen" in mail["Subject"]
    assert "Meldingsnummer" in mail.get_body(("plain",)).get_content()


def test_a_failing_mail_server_never_loses_the_ticket(client, services, caplog):
    class BrokenMailer:
        def send(self, message):
            raise ConnectionRefusedError("smtp down")

    services.mail = BrokenMailer()
    response = client.post("/api/tickets", json=VALID)
    assert response.status_code == 201
    number = response.get_json()["number"]
    assert services.store.get_ticket(number) is not None
    # The receipt waits in the queue; the dispatcher's failure keeps it there.
    from loket.services.mail_dispatch import send_queued

    assert send_queued(services).retrying == 1
    [waiting] = services.store.list_mail(pending=True)
    assert waiting.ticket == number and waiting.kind == "receipt"
    assert "smtp down" in waiting.last_error and waiting.attempts == 1


def test_the_receipt_lists_the_attached_files_with_their_sizes(client, outbox):
    import io

    response = client.post("/portal/tickets", content_type="multipart/form-data", data={
        **VALID, "language": "nl",
        "attachments": [(io.BytesIO(b"x" * 2048), "log.txt"),
                        (io.BytesIO(b"trace\n"), "trace.txt")]})
    assert response.status_code == 201
    [mail] = outbox.messages()
    text = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "Bijgevoegde bestanden: - log.txt (2 kB) - trace.txt (6 bytes)" in text
    html = mail.get_body(("html",)).get_content()
    assert "<li>log.txt (2 kB)</li>" in html


def test_a_receipt_without_files_lists_none(client, outbox):
    client.post("/api/tickets", json=VALID)
    [mail] = outbox.messages()
    assert "Attached files" not in mail.get_body(("plain",)).get_content()
