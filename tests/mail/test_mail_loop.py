"""`loket serve`'s mail process: a write that queues mail wakes it, and the receipt is
in the outbox without waiting for the interval; stop() ends it."""

from __future__ import annotations

import time

from loket.services.mail_dispatch import MailLoop, MailProcess
from loket.services.submission import submit_ticket
from loket.settings import Settings
from loket.wiring import build_services
from tests.api.conftest import VALID
from tests.paths import SITE_CONFIG

# How long the test waits for the other process at most (it starts a Python process
# and imports Loket): a deadline, not a timing assertion.
DEADLINE_S = 60


def settings_in(tmp_path) -> Settings:
    return Settings(sqlite_path=tmp_path / "loket.db", outbox_dir=tmp_path / "outbox",
                    config_dir=SITE_CONFIG, site_dir=tmp_path / "no-site",
                    search_index=tmp_path / "no-index", secret_key="test")


def wait_for_mail(folder, count: int) -> list:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.eml")) if folder.exists() else []
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {count} mail(s) in {folder} after {DEADLINE_S} s")


def test_a_submission_wakes_the_mail_process(tmp_path):
    settings = settings_in(tmp_path)
    services = build_services(settings)
    # An hour's interval: only the wake can make it send in time.
    mailer = MailProcess(settings, 3600).start()
    try:
        services.store.mail_listener = mailer.wake
        number = submit_ticket(services, VALID, client_address="203.0.113.7").ticket.number
        [receipt] = wait_for_mail(tmp_path / "outbox", 1)
        assert f"ticket-{number}@" in receipt.read_text()
    finally:
        mailer.stop()
    assert not mailer._process.is_alive()


def test_the_thread_loop_is_woken_as_well(tmp_path):
    services = build_services(settings_in(tmp_path))
    loop = MailLoop(services, 3600).start()
    try:
        services.store.mail_listener = loop.wake
        submit_ticket(services, VALID, client_address="203.0.113.7")
        wait_for_mail(tmp_path / "outbox", 1)
    finally:
        loop.stop()
