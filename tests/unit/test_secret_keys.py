"""Link-signing keys read at run time from an SSM SecureString (moto), kept per
container, and changed without a redeploy: links signed with the previous key still
open during the grace period, and stop when it is dropped."""

from __future__ import annotations

import boto3
import pytest

from loket.secret_keys import SecretKeys, parse_keys, ssm_loader
from loket.services.ratings import rating_link, ticket_of_rating_link
from loket.services.submission import submit_ticket
from tests.stores import AWS_REGION, store_sandbox

PARAMETER = "/loket/test/secret-key"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ssm(monkeypatch):
    with store_sandbox("dynamodb", monkeypatch):
        client = boto3.client("ssm", region_name=AWS_REGION)
        client.put_parameter(Name=PARAMETER, Value="first-key", Type="SecureString")
        yield client


def put(ssm, value: str) -> None:
    ssm.put_parameter(Name=PARAMETER, Value=value, Type="SecureString", Overwrite=True)


def counting(load):
    calls = []

    def wrapped():
        calls.append(1)
        return load()
    return wrapped, calls


def test_keys_are_white_space_separated_and_never_empty():
    assert parse_keys(" new\nold ") == ("new", "old")
    with pytest.raises(ValueError, match="empty"):
        parse_keys("  ")
    with pytest.raises(ValueError, match="empty"):
        SecretKeys.fixed(" ")


def test_the_parameter_is_read_once_per_refresh_period(ssm):
    clock = Clock()
    load, calls = counting(ssm_loader(PARAMETER, region=AWS_REGION))
    keys = SecretKeys(load, refresh_seconds=300, clock=clock)
    assert calls == []  # Nothing is read before the first link.
    assert keys.all() == ("first-key",) and keys.all() == ("first-key",)
    assert len(calls) == 1
    put(ssm, "second-key first-key")
    clock.now += 299
    assert keys.current == "first-key" and len(calls) == 1
    clock.now += 1
    assert keys.all() == ("second-key", "first-key") and len(calls) == 2


def test_a_failed_reload_keeps_the_keys_in_hand(ssm):
    clock = Clock()
    keys = SecretKeys(ssm_loader(PARAMETER, region=AWS_REGION), refresh_seconds=60, clock=clock)
    assert keys.current == "first-key"
    ssm.delete_parameter(Name=PARAMETER)
    clock.now += 61
    assert keys.current == "first-key"
    fresh = SecretKeys(ssm_loader(PARAMETER, region=AWS_REGION), clock=clock)
    with pytest.raises(Exception, match="ParameterNotFound"):
        fresh.all()


def test_a_key_changes_without_breaking_links_already_sent(ssm, services):
    clock = Clock()
    services.secret_key = ""  # Only the parameter signs.
    services.secret_keys = SecretKeys(ssm_loader(PARAMETER, region=AWS_REGION),
                                      refresh_seconds=300, clock=clock)
    ticket = submit_ticket(services, {
        "email": "ann@example.com", "product": "planner", "type": "question",
        "subject": "Export", "description": "How do I export?"},
        client_address="203.0.113.7").ticket
    old_link = rating_link(services, ticket).rsplit("/", 1)[1].split("?")[0]

    put(ssm, "second-key first-key")  # The new key in front, the old one kept.
    clock.now += 300
    new_link = rating_link(services, ticket).rsplit("/", 1)[1].split("?")[0]
    assert new_link != old_link
    for link in (old_link, new_link):
        assert ticket_of_rating_link(services, link).number == ticket.number

    put(ssm, "second-key")  # The grace period is over.
    clock.now += 300
    assert ticket_of_rating_link(services, new_link).number == ticket.number
    from loket.domain.errors import TicketNotFound

    with pytest.raises(TicketNotFound):
        ticket_of_rating_link(services, old_link)


def test_settings_name_the_parameter_and_nothing_is_read_at_start(ssm, monkeypatch, tmp_path):
    from loket.settings import Settings
    from loket.wiring import build_secret_keys

    load_calls = []
    monkeypatch.setattr("loket.secret_keys.SecretKeys._reload",
                        lambda self: load_calls.append(1) or setattr(self, "_keys", ("x",)))
    settings = Settings(secret_key_parameter=PARAMETER, secret_key_refresh=120,
                        aws_region=AWS_REGION, site_dir=tmp_path)
    keys = build_secret_keys(settings)
    assert load_calls == [] and keys._refresh == 120
    assert keys.current == "x" and load_calls == [1]


@pytest.fixture
def services(tmp_path):
    from datetime import datetime, timezone

    from loket.clock import FixedClock
    from loket.config import load_portal_config
    from loket.mail.outbox import OutboxMailer
    from loket.services.context import Services
    from loket.storage.sqlite import SQLiteStore
    from tests.paths import SITE_CONFIG

    return Services(config=load_portal_config(SITE_CONFIG),
                    store=SQLiteStore(tmp_path / "loket.db"),
                    mail=OutboxMailer(tmp_path / "outbox"),
                    clock=FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)),
                    base_url="http://portal.test",
                    mail_from="Nordwind Support <support@nordwind.example>")


def test_a_local_key_changes_without_breaking_upload_forms(tmp_path):
    """LOKET_SECRET_KEY="NEW OLD" on the folder store: a form signed with the old key
    is still accepted; one signed with a dropped key is not."""
    from loket.settings import Settings
    from loket.wiring import build_blobs

    def blobs(key: str):
        return build_blobs(Settings(secret_key=key, blob_dir=tmp_path, site_dir=tmp_path))

    form = blobs("old-key").upload_form("uploads/abc", content_type="text/plain", size=3,
                                        expires_in=600)
    token = form.fields["token"]
    rotated = blobs("new-key old-key")
    assert rotated.upload_allowed("uploads/abc", token)
    fresh = rotated.upload_form("uploads/abc", content_type="text/plain", size=3,
                                expires_in=600).fields["token"]
    assert blobs("new-key").upload_allowed("uploads/abc", fresh)
    assert not blobs("new-key").upload_allowed("uploads/abc", token)
