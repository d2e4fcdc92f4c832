"""`loket serve`'s mail process runs at the lowest CPU priority the system offers
(services/low_priority.py): SCHED_IDLE on Linux, else nice 19, so the server's requests
take the CPU first; it still sends a receipt woken by a submission."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from loket.services.mail_dispatch import MailProcess
from loket.services.submission import submit_ticket
from loket.wiring import build_services
from tests.api.conftest import VALID
from tests.mail.test_mail_loop import settings_in, wait_for_mail

LOWER = ("import os; from loket.services.low_priority import lower_own_priority; "
         "print(lower_own_priority()); "
         "print(os.sched_getscheduler(0) if hasattr(os, 'sched_getscheduler') else -1); "
         "print(os.nice(0))")


def test_lowering_sets_the_idle_policy_or_the_highest_niceness():
    # In a process of its own: this one keeps its priority.
    said, policy, niceness = subprocess.run(
        [sys.executable, "-c", LOWER], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}).stdout.split("\n")[:3]
    if hasattr(os, "SCHED_IDLE") and said == "SCHED_IDLE":
        assert int(policy) == os.SCHED_IDLE
    else:
        assert said in ("nice 19", "unchanged")
        assert said == "unchanged" or int(niceness) == 19


@pytest.mark.skipif(not hasattr(os, "sched_getscheduler"), reason="Linux scheduling only")
def test_the_mail_process_runs_at_the_lowest_priority(tmp_path):
    settings = settings_in(tmp_path)
    services = build_services(settings)
    mailer = MailProcess(settings, 3600).start()
    try:
        services.store.mail_listener = mailer.wake
        submit_ticket(services, VALID, client_address="203.0.113.7")
        wait_for_mail(tmp_path / "outbox", 1)  # it has lowered itself by then
        policy = os.sched_getscheduler(mailer._process.pid)
        assert policy == os.SCHED_IDLE or os.getpriority(
            os.PRIO_PROCESS, mailer._process.pid) == 19
    finally:
        mailer.stop()
