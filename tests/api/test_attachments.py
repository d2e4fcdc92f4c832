"""Attachments through the API and the no-JavaScript pages, on the local folder store:
upload ahead, attach, download with safe headers; every limit and refusal names its field."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from PIL import Image

from loket.domain.attachments import AttachmentLimits
from loket.services.attachments import clean_up_uploads
from tests.api.conftest import VALID, ticket_count
from tests.unit.test_attachments import png_claiming


def png(width=640, height=400, color="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def start(client, name, data: bytes, type_="image/png", size=None):
    return client.post("/api/uploads", json={"name": name, "size": len(data) if size is None
                                              else size, "type": type_})


def upload(client, name: str, data: bytes, type_="image/png") -> str:
    """The browser's two steps: announce the file, then post it where the answer says."""
    started = start(client, name, data, type_)
    assert started.status_code == 201, started.get_json()
    form = started.get_json()
    posted = client.post(form["url"], data={**form["fields"], "file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")
    assert posted.status_code == 204, posted.get_json()
    return form["id"]


def fetch(client, url):
    """GET a file and close the response (it streams from an open file)."""
    with client.get(url) as response:
        response.get_data()
        return response


def submit(client, attachments, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/tickets", json={**VALID, "attachments": attachments},
                       headers=headers)


def errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_json()
    return {e["field"]: e["detail"] for e in response.get_json()["errors"]}


def ticket_of(client, receipt) -> dict:
    return client.get(f"/api/tickets/{receipt['number']}",
                      query_string={"token": receipt["token"]}).get_json()


@pytest.fixture
def limits(services):
    """Shrink the limits for one test: limits(max_file_bytes=100, ...)."""
    def shrink(**changes):
        services.config = replace(services.config, attachments=AttachmentLimits(
            **{**services.config.attachments.model_dump(), **changes}))
    return shrink


def test_a_screenshot_uploaded_ahead_comes_with_the_ticket_with_a_thumbnail(client, services,
                                                                            tmp_path):
    picture = png()
    upload_id = upload(client, "Screen shot 2026-11-26.png", picture)
    response = submit(client, [upload_id])
    assert response.status_code == 201
    receipt = response.get_json()
    [message] = ticket_of(client, receipt)["messages"]
    [attachment] = message["attachments"]
    assert (attachment["name"], attachment["content_type"], attachment["size"]) == (
        "Screen shot 2026-11-26.png", "image/png", len(picture))

    download = fetch(client, attachment["url"])
    assert download.status_code == 200 and download.data == picture
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="Screen shot 2026-11-26.png"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in download.headers["Cache-Control"]

    thumbnail = fetch(client, attachment["thumbnail_url"])
    assert thumbnail.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(thumbnail.data)).size == (320, 200)

    # The waiting copy is gone; the ticket's copy stays; the upload is attached.
    blobs = tmp_path / "blobs"
    assert not (blobs / "uploads" / upload_id).exists()
    assert (blobs / "attachments" / upload_id).read_bytes() == picture
    assert services.store.get_upload(upload_id).ticket == receipt["number"]


def test_a_decompression_bomb_is_attached_as_it_came_but_gets_no_thumbnail(client):
    """A PNG that claims 100,000 x 100,000 pixels in under a kilobyte is a PNG the
    customer may attach: it is kept and downloadable, only never decoded."""
    bomb = png_claiming(100_000, 100_000)
    response = submit(client, [upload(client, "huge.png", bomb)])
    assert response.status_code == 201, response.get_json()
    [attachment] = ticket_of(client, response.get_json())["messages"][0]["attachments"]
    assert (attachment["name"], attachment["content_type"], attachment["thumbnail_url"]) == (
        "huge.png", "image/png", None)
    assert fetch(client, attachment["url"]).data == bomb


def test_only_the_tickets_token_opens_its_files(client):
    receipt = submit(client, [upload(client, "a.png", png())]).get_json()
    url = ticket_of(client, receipt)["messages"][0]["attachments"][0]["url"]
    path = url.split("?")[0]
    wrong = client.get(path, query_string={"token": "guess"})
    missing = client.get(f"/api/tickets/99999/attachments/{path.rsplit('/', 1)[1]}",
                         query_string={"token": "guess"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.get_json() == missing.get_json()
    other = client.get(path.rsplit("/", 1)[0] + "/" + "x" * 22,
                       query_string={"token": receipt["token"]})
    assert other.status_code == 404 and other.get_json()["title"] == "Attachment not found"


@pytest.mark.parametrize("name, content, kind", [
    ("page.png", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
     "text/html"),
    ("notes.txt", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
     "image/svg+xml"),
    ("setup.pdf", b"MZ\x90\x00\x03" + bytes(200), "application/x-msdownload"),
    ("data.bin", bytes(range(256)) * 4, "application/octet-stream"),
])
def test_the_content_decides_the_type_not_the_name(client, name, content, kind):
    upload_id = upload(client, name, content, type_="image/png")
    refused = errors(submit(client, [upload_id]))
    assert refused["attachments[0]"].startswith(f"'{name}' holds {kind}, which is not accepted")
    assert ticket_count(client.application.extensions["loket"]) == 0


def test_a_picture_with_a_misleading_name_keeps_a_fitting_extension(client):
    receipt = submit(client, [upload(client, "invoice.html", png())]).get_json()
    [attachment] = ticket_of(client, receipt)["messages"][0]["attachments"]
    assert (attachment["name"], attachment["content_type"]) == ("invoice.html.png", "image/png")


def test_text_logs_and_csv_files_are_recognised(client):
    log = b"2026-11-26 09:30:01 ERROR export failed\n2026-11-26 09:30:02 INFO retry\n"
    csv = "naam;bedrag;datum\nJansen;12,50;2026-11-01\nDe Vries;7,00;2026-11-02\n".encode("cp1252")
    receipt = submit(client, [upload(client, "export.log", log, "text/x-log"),
                              upload(client, "import.csv", csv, "application/vnd.ms-excel")]
                     ).get_json()
    attachments = ticket_of(client, receipt)["messages"][0]["attachments"]
    assert [(a["name"], a["content_type"], a["thumbnail_url"]) for a in attachments] == [
        ("export.log", "text/plain", None), ("import.csv", "text/csv", None)]
    download = fetch(client, attachments[1]["url"])
    assert download.data == csv and download.headers["Content-Type"].startswith("text/csv")


def test_the_announced_file_is_checked_before_the_upload(client, limits):
    limits(max_file_bytes=1000, max_bytes_per_ticket=5000)
    assert errors(start(client, "big.png", b"", size=1001)) == {
        "size": "is too large: 1001 bytes; at most 1000 bytes a file"}
    assert errors(start(client, "empty.png", b"")) == {
        "size": "must be more than 0: the file is empty"}
    assert errors(client.post("/api/uploads", json={"size": 5, "path": "/etc"})) == {
        "path": "unknown field", "name": "is required: the file's name"}
    assert errors(client.post("/api/uploads", json={"name": "a.png", "size": "5"})) == {
        "size": "is required: the file's size in bytes"}


def test_a_posted_file_must_be_what_was_announced(client):
    form = start(client, "a.png", b"x" * 100).get_json()
    too_much = client.post(form["url"], data={**form["fields"],
                                              "file": (io.BytesIO(b"x" * 101), "a.png")})
    assert errors(too_much) == {"file": "is larger than the 100 bytes announced"}
    too_little = client.post(form["url"], data={**form["fields"],
                                                "file": (io.BytesIO(b"x" * 99), "a.png")})
    assert errors(too_little) == {"file": "is 99 bytes, not the 100 bytes announced"}
    no_file = client.post(form["url"], data=form["fields"])
    assert errors(no_file) == {"file": "is required"}


def test_a_posted_file_needs_the_forms_own_token(client):
    form = start(client, "a.png", b"x" * 10).get_json()
    other = start(client, "b.png", b"x" * 10).get_json()
    for token in ("", "forged", other["fields"]["token"]):
        response = client.post(form["url"], data={"token": token,
                                                  "file": (io.BytesIO(b"x" * 10), "a.png")})
        assert response.status_code == 404
        assert response.get_json()["title"] == "Upload not found"
    assert client.post("/api/uploads/" + "n" * 22, data=form["fields"]).status_code == 404


def test_too_many_files_for_one_message(client, limits):
    limits(max_files_per_message=2)
    ids = [upload(client, f"{i}.png", png(20, 20)) for i in range(3)]
    assert errors(submit(client, ids)) == {
        "attachments": "are too many: 3 files; at most 2 per message"}


def test_a_file_larger_than_allowed_is_refused_when_attached(client, limits):
    upload_id = upload(client, "big.png", png())
    limits(max_file_bytes=100, max_bytes_per_ticket=1000)
    assert errors(submit(client, [upload_id]))["attachments[0]"].startswith(
        "'big.png' is too large: ")


def test_a_ticket_holds_at_most_its_total(client, limits):
    picture = png(300, 300)
    limits(max_file_bytes=len(picture), max_bytes_per_ticket=2 * len(picture) + 10)
    receipt = submit(client, [upload(client, "1.png", picture),
                              upload(client, "2.png", picture)]).get_json()
    third = upload(client, "3.png", picture)
    reply = client.post(f"/api/tickets/{receipt['number']}/messages",
                        query_string={"token": receipt["token"]},
                        json={"body": "One more.", "attachments": [third]})
    refused = errors(reply)["attachments"]
    assert refused.startswith("are too large together: ") and "the ticket holds" in refused


def test_unknown_unfinished_expired_and_repeated_uploads_are_named(client, clock):
    unknown = "z" * 22
    unfinished = start(client, "later.png", png()).get_json()["id"]
    expired = upload(client, "old.png", png())
    clock.move(days=1)
    fresh = upload(client, "fresh.png", png())
    found = errors(submit(client, [unknown, unfinished, expired, fresh, fresh, 7]))
    assert found == {"attachments": "must be a list of upload ids"}
    found = errors(submit(client, [unknown, unfinished, expired, fresh, fresh]))
    assert found == {
        "attachments[0]": "is not a known upload; upload the file again",
        "attachments[1]": "'later.png' has expired (uploads wait a day); upload it again",
        "attachments[2]": "'old.png' has expired (uploads wait a day); upload it again",
        "attachments[4]": "is listed twice"}


def test_an_upload_not_posted_yet_is_named(client):
    unfinished = start(client, "later.png", png()).get_json()["id"]
    assert errors(submit(client, [unfinished])) == {
        "attachments[0]": "'later.png' was not uploaded, or its upload did not finish"}


def test_form_errors_and_file_errors_come_together_and_nothing_is_stored(client, services):
    response = client.post("/api/tickets", json={**VALID, "email": "nope",
                                                 "attachments": ["q" * 22]})
    assert set(errors(response)) == {"email", "attachments[0]"}
    assert ticket_count(services) == 0


def test_a_retry_with_the_same_key_replays_the_ticket_and_its_files(client, services):
    upload_id = upload(client, "a.png", png())
    first = submit(client, [upload_id], key="retry-1")
    again = submit(client, [upload_id], key="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert ticket_count(services) == 1
    # Without the key, an attached upload is not attached again, and the refusal
    # never names the file: the id may be of someone else's ticket.
    refusal = errors(submit(client, [upload_id], key="other"))
    assert refusal == {"attachments[0]": "is attached to a message already; "
                                         "upload the file again"}
    assert "a.png" not in str(refusal)


def test_a_reply_brings_files_and_may_be_files_alone(client):
    receipt = submit(client, []).get_json()
    url = f"/api/tickets/{receipt['number']}/messages"
    token = {"token": receipt["token"]}
    response = client.post(url, query_string=token,
                           json={"attachments": [upload(client, "b.png", png())]})
    assert response.status_code == 201
    last = response.get_json()["messages"][-1]
    assert last["body"] == "" and [a["name"] for a in last["attachments"]] == ["b.png"]
    assert errors(client.post(url, query_string=token, json={"body": " "})) == {
        "body": "is required"}


def test_a_form_without_javascript_posts_its_files_inline(client, services):
    picture = png()
    response = client.post("/portal/tickets", content_type="multipart/form-data", data={
        **VALID, "attachments": [(io.BytesIO(picture), "../../home/ann/shot.png"),
                                 (io.BytesIO(b""), "")]})
    assert response.status_code == 201
    ticket = services.store.get_ticket(services.config.first_ticket_number)
    [message] = services.store.list_messages(ticket.number)
    [attachment] = message.attachments
    assert (attachment.name, attachment.size, attachment.thumbnail_key) == (
        "shot.png", len(picture), f"thumbnails/{attachment.id}.png")

    page = client.get(f"/portal/tickets/{ticket.number}", query_string={"token": ticket.access_key})
    html = page.get_data(as_text=True)
    assert f"/api/tickets/{ticket.number}/attachments/{attachment.id}/thumbnail?token=" in html
    assert "shot.png" in html and 'enctype="multipart/form-data"' in html


def test_a_form_without_javascript_shows_a_refused_file_under_its_input(client, services):
    response = client.post("/portal/tickets", content_type="multipart/form-data", data={
        **VALID, "attachments": [(io.BytesIO(b"<html><body>hi</body></html>"), "hi.png")]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'id="loket-attachments-error"[^>]*>([^<]*)<', html).group(1)
    assert error.startswith("&#39;hi.png&#39; holds text/html, which is not accepted")
    assert ticket_count(services) == 0


def test_a_reply_page_without_javascript_takes_files(client, services):
    receipt = submit(client, []).get_json()
    response = client.post(f"/portal/tickets/{receipt['number']}/messages",
                           query_string={"token": receipt["token"]},
                           content_type="multipart/form-data",
                           data={"body": "The log.", "attachments": [
                               (io.BytesIO(b"line one\nline two\n"), "app.log")]})
    assert response.status_code == 303
    last = services.store.list_messages(receipt["number"])[-1]
    assert [(a.name, a.content_type) for a in last.attachments] == [("app.log", "text/plain")]


def test_uploads_never_attached_are_cleaned_up_after_a_day(client, services, clock, tmp_path):
    kept = upload(client, "kept.png", png())
    left = upload(client, "left.png", png())
    submit(client, [kept])
    assert clean_up_uploads(services) == 0
    clock.move(days=1, seconds=1)
    assert clean_up_uploads(services) == 1
    assert services.store.get_upload(left) is None
    assert not (tmp_path / "blobs" / "uploads" / left).exists()
    assert services.store.get_upload(kept).attached
    assert (tmp_path / "blobs" / "attachments" / kept).exists()


def test_uploads_wait_only_a_day(client, clock):
    form = start(client, "a.png", b"x" * 10).get_json()
    clock.move(days=1)
    response = client.post(form["url"], data={**form["fields"],
                                              "file": (io.BytesIO(b"x" * 10), "a.png")})
    assert response.status_code == 404


def test_files_cannot_be_sent_where_the_form_has_no_attachments_field(client, services):
    form = services.config.form
    services.config = replace(services.config, form=form.model_copy(update={
        "fields": [f for f in form.fields if f.type != "attachments"]}))
    assert errors(submit(client, ["a" * 22])) == {"attachments": "unknown field"}


def test_uploads_per_address_are_limited(client, services):
    services.config = replace(services.config, submissions=services.config.submissions
                              .model_copy(update={"per_hour": 1}))
    services.config = replace(services.config, attachments=AttachmentLimits(
        max_files_per_message=2))
    assert [start(client, f"{i}.png", b"x" * 10).status_code for i in range(3)] == [
        201, 201, 429]
