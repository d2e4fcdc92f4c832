"""Files on the forms that work without JavaScript, posted over real HTTP as a browser
(or curl -F) sends them: every file up to the configured limits is taken, and a refusal
is the page again with what the customer typed."""

from __future__ import annotations

import dataclasses
import http.client
import io
import random
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image

from loket.domain.attachments import AttachmentLimits
from tests.api.conftest import VALID, ticket_count
from tests.live_server import LiveServer

TYPED = {**VALID, "subject": "Planner draait niet na de update",
         "description": "Na de update naar 4.2 start Planner niet meer; de schermafdruk zit erbij."}


def png_of_about(size: int) -> bytes:
    """A real PNG of noise (which does not compress), close to `size` bytes."""
    side = int((size / 3) ** 0.5)
    noise = random.Random(size).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(out, format="PNG")
    return out.getvalue()


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body as browsers write it: fields first, then each file."""
    boundary = "----LoketFormBoundary7MA4YWxkTrZu0gW"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                  .encode() + value.encode() + b"\r\n")
    for filename, content_type, data in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
                  f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def post(server: LiveServer, path: str, body: bytes, content_type: str):
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    connection.request("POST", path, body=body, headers={"Content-Type": content_type})
    response = connection.getresponse()
    result = response.status, response.getheader("Location"), response.read().decode()
    connection.close()
    return result


@pytest.fixture
def server(app):
    with LiveServer(app) as live:
        yield live


@pytest.fixture
def ticket(client):
    receipt = client.post("/api/tickets", json=VALID).get_json()
    return receipt["number"], receipt["token"]


def attachments_of(services, number: int) -> list[tuple[str, int]]:
    return [(a.name, a.size) for m in services.store.list_messages(number) for a in m.attachments]


def test_a_230_kb_picture_goes_with_a_new_ticket(server, services):
    picture = png_of_about(230_000)
    assert 225_000 < len(picture) < 240_000
    status, _, html = post(server, "/portal/tickets",
                           *multipart(TYPED, [("update.png", "image/png", picture)]))
    assert status == 201, html[:500]
    assert attachments_of(services, services.config.first_ticket_number) == [
        ("update.png", len(picture))]


def test_a_230_kb_picture_goes_with_information_added_by_the_e_mailed_link(
        server, services, ticket):
    number, token = ticket
    picture = png_of_about(230_000)
    status, location, _ = post(server, f"/portal/tickets/{number}/messages?token={token}",
                               *multipart({"body": "Hier is de schermafdruk."},
                                          [("error.png", "image/png", picture)]))
    assert status == 303 and location.startswith(f"/portal/tickets/{number}?")
    assert attachments_of(services, number) == [("error.png", len(picture))]


def test_a_file_as_large_as_the_form_promises_is_taken(server, services):
    largest = services.config.attachments.max_file_bytes  # 25 MiB in portal.yml
    log = (b"2026-11-26 09:30:00 INFO export started\n" * (largest // 40 + 1))[:largest]
    status, _, html = post(server, "/portal/tickets",
                           *multipart(TYPED, [("export.log", "text/plain", log)]))
    assert status == 201, html[:500]
    assert attachments_of(services, services.config.first_ticket_number) == [
        ("export.log", largest)]


def test_a_file_just_over_the_limit_is_refused_on_the_form_with_what_was_typed(
        server, services):
    over = services.config.attachments.max_file_bytes + 1
    status, _, html = post(server, "/portal/tickets",
                           *multipart(TYPED, [("export.log", "text/plain", b"x" * over)]))
    assert status == 422
    assert TYPED["subject"] in html and TYPED["description"] in html
    error = re.search(r'id="loket-attachments-error"[^>]*>([^<]*)<', html).group(1)
    assert "export.log" in error and "at most 26214400 bytes" in error
    assert ticket_count(services) == 0


@pytest.fixture
def small_limits(services):
    """Limits small enough to go over them all together in a test: 2 files of 100 kB."""
    services.config = dataclasses.replace(services.config, attachments=AttachmentLimits(
        max_file_bytes=100_000, max_files_per_message=2, max_bytes_per_ticket=1_000_000))


def test_a_form_over_all_limits_together_is_shown_again_with_what_was_typed(
        server, services, small_limits):
    files = [(f"part{i}.log", "text/plain", b"y" * 99_000) for i in range(3)]
    status, _, html = post(server, "/portal/tickets", *multipart(TYPED, files))
    assert status == 413
    assert "<form" in html and TYPED["subject"] in html and TYPED["description"] in html
    error = re.search(r'id="loket-attachments-error"[^>]*>([^<]*)<', html).group(1)
    assert "at most 2 files of 98 kB each" in error
    assert ticket_count(services) == 0


def test_information_over_all_limits_together_keeps_its_text(server, services, small_limits,
                                                              ticket):
    number, token = ticket
    files = [(f"part{i}.log", "text/plain", b"y" * 99_000) for i in range(3)]
    status, _, html = post(server, f"/portal/tickets/{number}/messages?token={token}&lang=nl",
                           *multipart({"body": "Drie logbestanden, zie bijlagen."}, files))
    assert status == 413
    assert "Drie logbestanden, zie bijlagen." in html and "hoogstens 2 bestanden" in html
    assert len(services.store.list_messages(number)) == 1
