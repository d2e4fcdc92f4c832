"""Uploads never attached are removed by `loket serve`'s background sweeper as on AWS,
and one client address may upload only so many bytes ahead in a day. Fixed clock."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import ValidationError

from loket.domain.attachments import MiB, AttachmentLimits
from loket.services.sweeper import SweepLoop
from tests.api.test_attachments import png, start, submit, upload


def test_the_serve_sweeper_removes_uploads_never_attached(client, services, clock, tmp_path):
    kept = upload(client, "kept.png", png())
    left = upload(client, "left.png", png())
    submit(client, [kept])
    loop = SweepLoop(services, interval=60)
    loop.run_once()
    assert services.store.get_upload(left) is not None  # Not yet: uploads wait a day.
    clock.move(days=1, seconds=1)
    loop.run_once()
    assert services.store.get_upload(left) is None
    assert not (tmp_path / "blobs" / "uploads" / left).exists()
    assert services.store.get_upload(kept).attached
    assert (tmp_path / "blobs" / "attachments" / kept).exists()


def test_a_failing_upload_clean_up_leaves_the_sweep_to_run(services, monkeypatch, caplog):
    import loket.services.attachments as attachments

    def broken(_services):
        raise OSError("disk gone")

    monkeypatch.setattr(attachments, "clean_up_uploads", broken)
    SweepLoop(services, interval=60).run_once()
    assert "removing uploads never attached failed" in caplog.text


@pytest.fixture
def small_cap(services):
    services.config = replace(services.config, attachments=AttachmentLimits(
        max_file_bytes=10 * MiB, max_bytes_per_ticket=10 * MiB,
        max_upload_bytes_per_address_per_day=25 * MiB))
    return services


def announce(client, size: int, address: str = "192.0.2.10"):
    return client.post("/api/uploads", json={"name": "big.zip", "size": size,
                                             "type": "application/zip"},
                       environ_base={"REMOTE_ADDR": address})


def test_the_bytes_an_address_uploads_in_a_day_are_capped(client, small_cap, clock):
    assert announce(client, 10 * MiB).status_code == 201
    assert announce(client, 10 * MiB).status_code == 201
    refused = announce(client, 10 * MiB)
    assert refused.status_code == 429
    assert "more than 25 MiB of uploads per day" in refused.get_json()["detail"]
    assert int(refused.headers["Retry-After"]) > 0
    # The refused upload counted nothing: what is left still fits.
    assert announce(client, 5 * MiB).status_code == 201
    assert announce(client, 1).status_code == 429
    # Another address has its own allowance, and the next day brings a new one.
    assert announce(client, 10 * MiB, address="192.0.2.11").status_code == 201
    clock.move(days=1)
    assert announce(client, 10 * MiB).status_code == 201


def test_the_cap_is_checked_in_the_configuration():
    with pytest.raises(ValidationError, match="max_upload_bytes_per_address_per_day"):
        AttachmentLimits(max_file_bytes=20 * MiB, max_upload_bytes_per_address_per_day=10 * MiB)
    with pytest.raises(ValidationError):
        AttachmentLimits(max_upload_bytes_per_address_per_day=0)
    assert AttachmentLimits().max_upload_bytes_per_address_per_day == 500 * MiB


def test_small_uploads_are_not_held_up(client):
    assert start(client, "a.png", png()).status_code == 201
