"""`make serve PORT=8123` (issue #11): links in e-mails and the site's feed point at the
port served on, unless LOKET_BASE_URL says otherwise."""

from __future__ import annotations

import subprocess

from loket.cli import serving_settings
from loket.settings import Settings
from tests.paths import ROOT


def test_loket_serve_links_to_the_port_it_serves_on(monkeypatch):
    monkeypatch.delenv("LOKET_BASE_URL", raising=False)
    assert serving_settings(Settings(), "127.0.0.1", 8123).base_url == "http://127.0.0.1:8123"
    assert serving_settings(Settings(), "0.0.0.0", 8123).base_url == "http://127.0.0.1:8123"


def test_loket_base_url_wins(monkeypatch):
    monkeypatch.setenv("LOKET_BASE_URL", "https://support.example")
    settings = serving_settings(Settings(), "127.0.0.1", 8123)
    assert settings.base_url == "https://support.example"


def test_the_site_url_follows_the_port_and_yields_to_loket_base_url(monkeypatch):
    from mkdocs.config import load_config

    monkeypatch.delenv("LOKET_BASE_URL", raising=False)
    monkeypatch.setenv("LOKET_SITE_URL", "http://127.0.0.1:8123/")
    assert load_config(str(ROOT / "mkdocs.yml")).site_url == "http://127.0.0.1:8123/"
    monkeypatch.setenv("LOKET_BASE_URL", "https://support.example/")
    assert load_config(str(ROOT / "mkdocs.yml")).site_url == "https://support.example/"


def test_make_builds_the_site_for_the_port_served_on():
    dry = subprocess.run(["make", "-n", "site", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "LOKET_SITE_URL=http://127.0.0.1:8123/" in dry
