"""German (`de`), added by its catalog, its mail templates and the demo configuration's
labels, and nothing else: the pages, field errors, dates and e-mails speak it."""

from __future__ import annotations

from tests.api.conftest import VALID


def test_a_german_form_post_answers_in_german(client):
    html = client.post("/portal/tickets", data={**VALID, "language": "de"}).get_data(as_text=True)
    assert "Ticket eingegangen" in html and "Ticketnummer" in html
    assert 'lang="de"' in html or "lang=de" in html


def test_field_errors_come_back_as_german_sentences(client):
    answer = client.post("/portal/tickets", data={**VALID, "email": "not-an-address",
                                                   "subject": "", "language": "de"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Bitte korrigieren Sie die unten markierten Felder." in html
    assert "Geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com." in html
    assert "Dieses Feld ist ein Pflichtfeld." in html


def test_the_api_names_a_field_in_german(client):
    answer = client.post("/api/tickets?lang=de", json={**VALID, "subject": "x" * 500,
                                                       "language": "de"})
    errors = {e["field"]: e["message"] for e in answer.get_json()["errors"]}
    assert errors["subject"] == "Verwenden Sie höchstens 150 Zeichen; dies sind 500."


def test_the_receipt_and_the_ticket_page_are_german(client, outbox):
    receipt = client.post("/api/tickets", json={**VALID, "language": "de"}).get_json()
    [mail] = outbox.messages()
    assert mail["Subject"].startswith(f"[#{receipt['number']}] Wir haben Ihr Ticket erhalten")
    body = mail.get_body(("plain",)).get_content()
    assert "Ticketnummer: " in body and "Produkt:      Nordwind Planner" in body
    assert "Status:       Offen" in body
    page = client.get(receipt["lookup_url"].removeprefix("http://portal.test")
                      ).get_data(as_text=True)
    # The business calendar's zone (Europe/Amsterdam) and German month abbreviations.
    assert "26. Nov. 2026, 10:30 CET" in page
    assert "Verlauf" in page and "Informationen ergänzen" in page
