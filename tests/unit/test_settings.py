"""LOKET_* settings: typos are refused, and every setting is documented."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from loket.settings import Settings
from tests.paths import ROOT


def test_unknown_loket_variable_is_refused(monkeypatch):
    monkeypatch.setenv("LOKET_STOER", "dynamodb")
    with pytest.raises(ValidationError, match="unknown setting.*LOKET_STOER"):
        Settings()


def test_wrong_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("LOKET_STORE", "postgres")
    with pytest.raises(ValidationError, match="store"):
        Settings()


def test_s3_blobs_need_a_bucket(monkeypatch):
    monkeypatch.setenv("LOKET_BLOBS", "s3")
    with pytest.raises(ValidationError, match="LOKET_ATTACHMENTS_BUCKET"):
        Settings()


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [f"LOKET_{name.upper()}" for name in Settings.model_fields
               if f"`LOKET_{name.upper()}`" not in readme]
    assert not missing, f"document these in README.md: {missing}"


def test_every_variable_the_build_and_deploy_files_set_is_a_setting():
    """The Makefile, mkdocs.yml and serverless.yml set LOKET_* variables for code that
    reads Settings (the site build's hooks, the functions): one unknown there stops
    `make serve` on a fresh clone."""
    known = {Settings.variable(name) for name in Settings.names()}
    for name in ("Makefile", "deploy.mk", "mkdocs.yml", "serverless.yml"):
        used = set(re.findall(r"\bLOKET_[A-Z0-9_]+\b", (ROOT / name).read_text()))
        assert used <= known, f"{name} sets LOKET_* variables Settings refuses: {used - known}"


def test_settings_come_from_the_environment_and_arguments_win(monkeypatch, tmp_path):
    monkeypatch.setenv("LOKET_STORE", "dynamodb")
    monkeypatch.setenv("LOKET_SWEEP_INTERVAL", "5")
    monkeypatch.setenv("loket_outbox_dir", str(tmp_path))  # Names match in any case.
    settings = Settings()
    assert (settings.store, settings.sweep_interval, settings.outbox_dir) == (
        "dynamodb", 5, tmp_path)
    assert Settings(store="sqlite", secret_key="k").store == "sqlite"


def test_a_bad_number_in_the_environment_names_the_setting(monkeypatch):
    monkeypatch.setenv("LOKET_SWEEP_INTERVAL", "-1")
    with pytest.raises(ValidationError, match="sweep_interval"):
        Settings()


def test_an_argument_that_is_no_setting_is_refused():
    with pytest.raises(ValidationError, match="stroe"):
        Settings(stroe="dynamodb")
