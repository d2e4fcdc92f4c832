"""The mail_in section of site_config/portal.yml: validated, and optional."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from loket.config import ConfigError, load_portal_config
from loket.services.mail_in import mail_in_settings, take_in_mail
from tests.mail.conftest import make_mail
from tests.paths import SITE_CONFIG


@pytest.fixture
def config_dir(tmp_path):
    target = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, target)
    return target


def test_shipped_mail_in_section():
    mail_in = load_portal_config(SITE_CONFIG).mail_in
    assert (mail_in.address, mail_in.default_product) == ("support@nordwind.example", "planner")


def test_default_product_must_be_a_product(config_dir):
    portal = config_dir / "portal.yml"
    portal.write_text(portal.read_text().replace("default_product: planner",
                                                 "default_product: toaster"))
    with pytest.raises(ConfigError, match="mail_in.default_product 'toaster' is not a listed"):
        load_portal_config(config_dir)


def test_address_must_be_an_address(config_dir):
    portal = config_dir / "portal.yml"
    portal.write_text(portal.read_text().replace("address: support@nordwind.example",
                                                 "address: support"))
    with pytest.raises(ConfigError, match=r"line \d+: mail_in.address"):
        load_portal_config(config_dir)


def test_without_a_mail_in_section_our_sender_and_first_product(services):
    services.config = replace(services.config, mail_in=None)
    settings = mail_in_settings(services)
    assert (settings.address, settings.default_product) == ("support@nordwind.example",
                                                            "planner")
    assert take_in_mail(services, make_mail(sender="support@nordwind.example")).action == (
        "refused")
    assert take_in_mail(services, make_mail()).ticket == 10001
