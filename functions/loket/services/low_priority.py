"""The lowest CPU priority the system offers, for `loket serve`'s mail process.

Rendering receipts is background work beside the server on the same cores: when the
CPU is short the requests must go first, and a receipt may wait until they are
answered. Linux's SCHED_IDLE runs a process only on CPU time no other process wants
(its weight is 3 where nice 19's is 15 and nice 10's 110, and a request waking up
always preempts it); elsewhere, or where the policy is refused, nice 19.

An idle CPU still runs the process at once, so receipts go out as soon as a burst of
requests is answered (bench/submit_load.py prints how long after: "mail s"). Its store
writes are kept short (the dispatcher's claim and its outcomes, a few milliseconds), so
the server's writers seldom wait behind a process that the scheduler holds back.
"""

from __future__ import annotations

import os

LOWEST_NICENESS = 19


def lower_own_priority() -> str:
    """Lower this process's CPU priority as far as it goes; say what was set."""
    idle = getattr(os, "SCHED_IDLE", None)
    if idle is not None:
        try:
            os.sched_setscheduler(0, idle, os.sched_param(0))
            return "SCHED_IDLE"
        except OSError:  # refused (a container's seccomp profile): nice instead
            pass
    try:
        os.nice(LOWEST_NICENESS - os.nice(0))
        return f"nice {os.nice(0)}"
    except OSError:  # not allowed here: mail goes out at the server's priority
        return "unchanged"
