"""Workflow files: every preset is valid, and each mistake is reported with the file,
the line and the field."""

from __future__ import annotations

import shutil

import pytest

from loket.config import ConfigError, load_portal_config
from loket.config.loader import load_yaml_model
from loket.config.workflow import WorkflowFile
from tests.paths import SITE_CONFIG

PRESETS = sorted(p.parent.name for p in (SITE_CONFIG / "presets").glob("*/workflow.yml"))


def test_six_presets_are_shipped():
    assert PRESETS == ["application-management", "confirmation-pending", "hosted-helpdesk",
                       "reminder-and-close", "review-board", "support-plan"]


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_is_valid_with_the_portal(preset, tmp_path):
    config_dir = copy_config(tmp_path)
    edit(config_dir / "portal.yml", "presets/reminder-and-close/workflow.yml",
         f"presets/{preset}/workflow.yml")
    config = load_portal_config(config_dir, load_holidays=True)
    assert config.initial_status in config.statuses
    assert date_in(config.workflow.calendar.closed_days, "2026-04-27")  # King's Day


def date_in(days, text):
    from datetime import date

    return date.fromisoformat(text) in days


def copy_config(tmp_path):
    target = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, target)
    return target


def edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path, needle):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.fixture
def workflow(tmp_path):
    """A copy of the confirmation-pending preset to break."""
    path = tmp_path / "workflow.yml"
    shutil.copy(SITE_CONFIG / "presets" / "confirmation-pending" / "workflow.yml", path)
    return path


def error_of(path) -> str:
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, WorkflowFile)
    return str(exc.value)


@pytest.mark.parametrize("old, new, needle, field, words", [
    ("after: 7 working days", "after: 7 workdays", "after: 7 workdays", "timers.0.after",
     "is not a duration"),
    ("to: confirmation-pending", "to: confirmation", "to: confirmation", "timers.0.to",
     "'confirmation' is not a listed status"),
    ("from: [awaiting-customer-response, confirmation-pending, closed]",
     "from: [awaiting-customer-response, pending, closed]", "from: [awaiting-customer-response, pending",
     "transitions.0.from.1", "'pending' is not a listed status"),
    ("{event: customer-reopens, from: [closed], to: open}",
     "{event: customer-reopens, from: [closed], to: confirmation-pending}",
     "event: customer-reopens", "transitions.2.to",
     "status 'confirmation-pending' cannot be set by the customer: add customer to its set_by"),
    ("{event: customer-reopens,", "{event: customer-reopen,", "event: customer-reopen,",
     "transitions.2.event", "Input should be"),
    ("    do: move\n", "    do: move\n    to_status: x\n", "to_status", "timers.0.to_status",
     "Extra inputs are not permitted"),
    ("timezone: Europe/Amsterdam", "timezone: Europe/Amsterdm", "timezone:", "calendar.timezone",
     "'Europe/Amsterdm' is not a time zone"),
    ("monday: 09:00-17:00", "monday: 17:00-09:00", "monday:", "calendar.hours.monday",
     "closes before it opens"),
    ("initial_status: open", "initial_status: new", "initial_status", "initial_status",
     "'new' is not a listed status"),
])
def test_mistakes_name_file_line_and_field(workflow, old, new, needle, field, words):
    edit(workflow, old, new)
    message = error_of(workflow)
    assert message.startswith(f"{workflow}: line {line_of(workflow, needle)}: {field}: "), message
    assert words in message


def test_a_move_needs_a_target_and_a_reminder_none(workflow):
    edit(workflow, "    to: confirmation-pending\n", "")
    assert "timers.0.to: 'do: move' needs the status to move to" in error_of(workflow)


def test_a_timer_may_only_set_what_the_system_may(workflow):
    edit(workflow, "    set_by: [system]", "    set_by: [agent]")
    assert ("timers.0.to: status 'confirmation-pending' cannot be set by the system"
            in error_of(workflow))


def test_the_sla_matrix_must_be_complete(tmp_path):
    path = tmp_path / "workflow.yml"
    shutil.copy(SITE_CONFIG / "presets" / "application-management" / "workflow.yml", path)
    edit(path, "low: {high: p3, medium: p4, low: p4}", "low: {high: p3, medium: p9}")
    message = error_of(path)
    assert f"line {line_of(path, 'low: {high: p3')}: sla.matrix.low.medium: 'p9' is not a " \
           "listed priority" in message
    assert "sla.matrix.low: no priority for urgency 'low'" in message


def test_sla_targets_count_working_time(tmp_path):
    path = tmp_path / "workflow.yml"
    shutil.copy(SITE_CONFIG / "presets" / "application-management" / "workflow.yml", path)
    edit(path, "first_response: 1 working hour", "first_response: 1 hour")
    assert "sla.priorities.0.first_response: SLA targets count working time" in error_of(path)


def test_an_unknown_holiday_country_is_found_at_start(tmp_path):
    config_dir = copy_config(tmp_path)
    path = config_dir / "presets" / "reminder-and-close" / "workflow.yml"
    edit(path, "holidays: NL", "holidays: XX")
    load_portal_config(config_dir)  # Holidays are loaded on first use ...
    with pytest.raises(ConfigError) as exc:  # ... or at once, as serve and sweep do.
        load_portal_config(config_dir, load_holidays=True)
    assert str(exc.value) == (f"{path}: line {line_of(path, 'holidays: XX')}: calendar.holidays: "
                              "the holidays package knows no country 'XX'")


def test_a_board_that_is_told_things_needs_an_address(tmp_path):
    config_dir = copy_config(tmp_path)
    portal = config_dir / "portal.yml"
    edit(portal, "presets/reminder-and-close/", "presets/review-board/")
    edit(portal, "    review_board: payroll-board@nordwind.example\n", "")
    with pytest.raises(ConfigError) as exc:
        load_portal_config(config_dir)
    assert str(exc.value).startswith(
        f"{portal}: line {line_of(portal, '- id: payroll')}: products.1: product 'payroll' "
        "needs a review_board address")


def test_a_missing_workflow_file_is_named(tmp_path):
    config_dir = copy_config(tmp_path)
    edit(config_dir / "portal.yml", "presets/reminder-and-close/", "presets/nope/")
    with pytest.raises(ConfigError, match="presets/nope/workflow.yml: cannot read"):
        load_portal_config(config_dir)


def test_every_setting_of_the_workflow_file_is_documented():
    from pydantic import BaseModel

    readme = (SITE_CONFIG / "presets" / "README.md").read_text()

    def settings(model: type[BaseModel]):
        for name, info in model.model_fields.items():
            yield info.alias or name
            for kind in (info.annotation, *getattr(info.annotation, "__args__", ())):
                for inner in (kind, *getattr(kind, "__args__", ())):
                    if isinstance(inner, type) and issubclass(inner, BaseModel) \
                            and inner.__module__ == WorkflowFile.__module__:
                        yield from settings(inner)

    missing = sorted({name for name in settings(WorkflowFile) if f"`{name}`" not in readme})
    assert not missing, f"undocumented in site_config/presets/README.md: {missing}"


# -- sla.from_form: impact and urgency from the ticket form --------------------------


@pytest.mark.parametrize("old, new, field, words", [
    ("{field: users_affected, at_least: 50, impact: high}",
     "{field: users_affected, at_least: 50, equals: x, impact: high}", "sla.from_form.1",
     "give exactly one of 'equals' (a value) or 'at_least' (a number)"),
    ("{field: users_affected, at_least: 50, impact: high}",
     "{field: users_affected, at_least: 50}", "sla.from_form.1",
     "a rule sets 'impact', 'urgency' or both"),
    ("{field: users_affected, at_least: 50, impact: high}",
     "{field: users_affected, at_least: 50, impact: huge}", "sla.from_form.1.impact",
     "'huge' is not a listed impact: one of high, medium, low"),
])
def test_form_rule_mistakes_name_line_and_field(tmp_path, old, new, field, words):
    path = tmp_path / "workflow.yml"
    shutil.copy(SITE_CONFIG / "presets" / "reminder-and-close" / "workflow.yml", path)
    edit(path, old, new)
    message = error_of(path)
    assert message.startswith(f"{path}: line {line_of(path, 'field: users_affected, at_least: 50')}: "
                              f"{field}: "), message
    assert words in message


@pytest.mark.parametrize("old, new, words", [
    ("{field: environment, equals: production, urgency: high}",
     "{field: envir, equals: production, urgency: high}",
     "sla.from_form.3.field: 'envir' is not a field of the ticket form"),
    ("{field: environment, equals: production, urgency: high}",
     "{field: environment, equals: prod, urgency: high}",
     "sla.from_form.3.equals: 'prod' is not a choice of 'environment': one of test, "
     "acceptance, production"),
    ("{field: users_affected, at_least: 50, impact: high}",
     "{field: subject, at_least: 50, impact: high}",
     "sla.from_form.1.field: 'at_least' needs an integer field; 'subject' is text"),
])
def test_form_rules_must_fit_the_ticket_form(tmp_path, old, new, words):
    config_dir = copy_config(tmp_path)
    path = config_dir / "presets" / "reminder-and-close" / "workflow.yml"
    edit(path, old, new)
    with pytest.raises(ConfigError) as exc:
        load_portal_config(config_dir)
    assert str(exc.value).startswith(f"{path}: line "), str(exc.value)
    assert words in str(exc.value)


def test_the_demo_publishes_the_response_targets_its_workflow_keeps():
    """docs/index.md promises first replies within 1 and 4 business hours, 1 and 3
    business days; the active workflow's priorities keep exactly those."""
    from loket.domain.sla import SlaTarget

    config = load_portal_config(SITE_CONFIG)
    sla, calendar = config.workflow.sla, config.workflow.calendar
    assert sla is not None
    targets = {p.label("en"): sla.target(p.id, SlaTarget.FIRST_RESPONSE, calendar)
               for p in sla.priorities.values()}
    hour = calendar.working_day() / 8
    assert targets == {"Critical": hour, "High": 4 * hour, "Normal": 8 * hour,
                       "Low": 24 * hour}
    page = (SITE_CONFIG.parent / "docs" / "index.md").read_text()
    for label, promise in (("Critical", "1 business hour"), ("High", "4 business hours"),
                           ("Normal", "1 business day"), ("Low", "3 business days")):
        assert f"| **{label}** |" in page and promise in page
