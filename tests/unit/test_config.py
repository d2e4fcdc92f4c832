"""Configuration errors name the file, the line and the field."""

from __future__ import annotations

import shutil

import pytest

from loket.config import ConfigError, load_portal_config
from tests.paths import SITE_CONFIG


@pytest.fixture
def config_dir(tmp_path):
    target = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, target)
    return target


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def line_of(path, needle):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_shipped_configuration_is_valid():
    config = load_portal_config(SITE_CONFIG)
    assert config.initial_status in config.statuses
    assert set(config.products) == {"planner", "payroll"}


def test_wrong_value_names_file_line_and_field(config_dir):
    portal = config_dir / "portal.yml"
    edit(portal, "per_hour: 20", "per_hour: lots")
    with pytest.raises(ConfigError) as exc:
        load_portal_config(config_dir)
    assert str(exc.value).startswith(
        f"{portal}: line {line_of(portal, 'per_hour')}: submissions.per_hour: Input should be")


def test_bad_form_field_names_its_line(config_dir):
    form = config_dir / "forms" / "ticket.yml"
    edit(form, "type: integer", "type: number")
    with pytest.raises(ConfigError) as exc:
        load_portal_config(config_dir)
    assert f"{form}: line {line_of(form, 'type: number')}: fields.8.type" in str(exc.value)


def test_unknown_initial_status(config_dir):
    workflow = config_dir / "presets" / "reminder-and-close" / "workflow.yml"
    edit(workflow, "initial_status: open", "initial_status: nieuw")
    with pytest.raises(ConfigError) as exc:
        load_portal_config(config_dir)
    assert str(exc.value) == (f"{workflow}: line {line_of(workflow, 'initial_status')}: "
                              "initial_status: 'nieuw' is not a listed status")


def test_broken_yaml_and_missing_file(config_dir):
    (config_dir / "portal.yml").write_text("vendor: [unclosed\n")
    with pytest.raises(ConfigError, match="portal.yml: not valid YAML"):
        load_portal_config(config_dir)
    (config_dir / "portal.yml").unlink()
    with pytest.raises(ConfigError, match="portal.yml: cannot read"):
        load_portal_config(config_dir)
