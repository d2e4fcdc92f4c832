"""A local install signs with one key across restarts: made once, kept in
var/secret_key (mode 0600), unless a setting says otherwise."""

from __future__ import annotations

import stat
import threading

import pytest

from loket.local_secret import kept_secret_key
from loket.settings import Settings
from loket.web.app import create_app
from tests.paths import SITE_CONFIG


@pytest.fixture
def local(tmp_path, monkeypatch):
    """A fresh install's working folder, with no LOKET_SECRET_KEY."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOKET_SECRET_KEY", raising=False)
    monkeypatch.delenv("LOKET_SECRET_KEY_FILE", raising=False)
    return tmp_path


def settings(**values) -> Settings:
    return Settings(config_dir=SITE_CONFIG, site_dir="no-site", **values)


def test_the_key_made_at_the_first_start_is_used_at_the_next(local):
    first, second = settings(), settings()
    assert len(first.secret_key) >= 43 and first.secret_key == second.secret_key
    assert (local / "var" / "secret_key").read_text().strip() == first.secret_key


def test_two_apps_sign_alike_so_links_survive_a_restart(local):
    before, after = create_app(settings()), create_app(settings())
    assert before.config["SECRET_KEY"] == after.config["SECRET_KEY"]
    signed = before.extensions["loket"].blobs._signer.dumps({"upload": "u1"})
    assert after.extensions["loket"].blobs._signer.loads(signed) == {"upload": "u1"}


def test_the_key_file_is_private(local):
    settings()
    mode = stat.S_IMODE((local / "var" / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert [p.name for p in (local / "var").iterdir()] == ["secret_key"]  # no temporary left


def test_an_explicit_setting_wins_and_makes_no_file(local, monkeypatch):
    settings()  # A key is kept already ...
    monkeypatch.setenv("LOKET_SECRET_KEY", "from-the-environment")
    assert settings().secret_key == "from-the-environment"  # ... and the setting wins.
    assert settings(secret_key="given").secret_key == "given"
    other = local / "elsewhere" / "key"
    monkeypatch.delenv("LOKET_SECRET_KEY")
    monkeypatch.setenv("LOKET_SECRET_KEY_FILE", str(other))
    assert settings().secret_key == other.read_text().strip()


def test_a_store_on_aws_keeps_no_file(local):
    assert settings(store="dynamodb").secret_key
    assert not (local / "var").exists()


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path, keys = tmp_path / "var" / "secret_key", []
    threads = [threading.Thread(target=lambda: keys.append(kept_secret_key(path)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and path.read_text().strip() == keys[0]
