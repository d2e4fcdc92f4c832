"""Refused mail past portal.yml's retention is removed by `loket serve`'s background
sweeper, with its raw message, as the table's TTL and the bucket's rule do on AWS.
Fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from io import BytesIO

from loket.config.model import RetentionConfig
from loket.domain.refused import RefusalKind, RefusedMail
from loket.services.sweeper import SweepLoop


def test_the_serve_sweeper_removes_refused_mail_past_its_retention(services, clock):
    services.config = replace(services.config, retention=RetentionConfig(refused_mail_days=7))
    now = clock.now()
    services.blobs.put("refused/r1.eml", BytesIO(b"From: a@example.com\r\n\r\nx"),
                       content_type="message/rfc822")
    services.store.keep_refused(RefusedMail("r1", now, now + timedelta(days=7),
                                            RefusalKind.RATE_LIMITED, "too many",
                                            raw_key="refused/r1.eml", size=24))
    loop = SweepLoop(services, interval=60)
    loop.run_once()
    assert services.store.get_refused("r1") is not None  # Not yet: kept 7 days.
    clock.move(days=7, seconds=1)
    loop.run_once()
    assert services.store.get_refused("r1") is None
    assert services.blobs.size("refused/r1.eml") is None
