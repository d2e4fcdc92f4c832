"""A customer attaches a screenshot to the ticket form and sees it on the ticket, in a
real browser against `loket serve`: uploaded ahead with progress, removable, then shown
with its thumbnail and downloadable."""

from __future__ import annotations

import io
import re
import urllib.request

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_ticket_flow import fill_ticket_form

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 500), color).save(out, "PNG")
    return out.getvalue()


def test_a_png_attached_to_the_form_is_shown_on_the_ticket(portal, page, tmp_path):
    screenshot, mistake = tmp_path / "export-error.png", tmp_path / "wrong-file.png"
    screenshot.write_bytes(png("red"))
    mistake.write_bytes(png("green"))
    page.goto(f"{portal.url}/support/submit/")
    fill_ticket_form(page, "Export fails, screenshot attached")
    page.set_input_files("#loket-attachments", [str(screenshot), str(mistake)])
    files = page.locator(".loket-files .loket-file")
    expect(files).to_have_count(2)
    expect(files.nth(0)).to_have_class(re.compile("loket-file--done"))
    expect(files.nth(1)).to_have_class(re.compile("loket-file--done"))
    # The customer changes their mind about the second file before submitting.
    files.nth(1).locator("button.loket-file-remove").click()
    expect(files).to_have_count(1)
    expect(files.nth(0)).to_contain_text("export-error.png")

    page.click("button.loket-submit")
    expect(page.locator(".loket-receipt")).to_contain_text("Ticket received")
    page.click("a.loket-follow")
    attachment = page.locator(".loket-message .loket-attachment")
    expect(attachment).to_have_count(1)
    expect(attachment).to_contain_text("export-error.png")
    thumbnail = attachment.locator("img.loket-thumbnail")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320

    href = attachment.locator("a").get_attribute("href")
    with urllib.request.urlopen(portal.url + href) as response:
        assert response.read() == screenshot.read_bytes()
        assert response.headers["Content-Disposition"].startswith(
            'attachment; filename="export-error.png"')
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_reply_on_the_ticket_page_brings_a_log_and_a_refused_file_is_named(portal, page,
                                                                          tmp_path):
    page.goto(f"{portal.url}/support/submit/")
    fill_ticket_form(page, "Sync stops at night")
    page.click("button.loket-submit")
    page.click("a.loket-follow")
    expect(page.locator(".loket-ticket-view h1")).to_contain_text("Sync stops at night")

    disguised = tmp_path / "night.log"
    disguised.write_bytes(b"<html><body><script>alert(1)</script></body></html>")
    page.fill("#loket-reply-body", "The server log of last night.")
    page.set_input_files("#loket-reply-attachments", [str(disguised)])
    expect(page.locator(".loket-reply .loket-file--done")).to_have_count(1)
    page.click(".loket-reply button[type=submit]")
    error = page.locator("#loket-reply-error")
    expect(error).to_contain_text("'night.log' holds text/html, which is not accepted")

    log = tmp_path / "sync.log"
    log.write_text("02:00:01 sync started\n02:14:09 ERROR connection reset\n")
    page.fill("#loket-reply-body", "The server log of last night.")
    page.set_input_files("#loket-reply-attachments", [str(log)])
    expect(page.locator(".loket-reply .loket-file--done")).to_have_count(1)
    page.click(".loket-reply button[type=submit]")
    last = page.locator(".loket-message").last
    expect(last).to_contain_text("The server log of last night.")
    expect(last.locator(".loket-attachment")).to_contain_text("sync.log")
