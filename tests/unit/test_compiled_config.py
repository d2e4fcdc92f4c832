"""The precompiled configuration (loket.config.compiled) the Lambda zip carries: the same
configuration as the files give, made again when they change, and loaded without YAML
or pydantic validation."""

from __future__ import annotations

import dataclasses
import enum
import json
import shutil
import subprocess
import sys

import pytest
from pydantic import BaseModel

from loket.config import load_portal_config
from loket.config.compiled import COMPILED, compile_config, load_compiled
from loket.domain.forms import FrozenLabels
from tests.paths import ROOT, SITE_CONFIG


@pytest.fixture
def config_dir(tmp_path):
    return shutil.copytree(SITE_CONFIG, tmp_path / "site_config",
                           ignore=shutil.ignore_patterns(".compiled"))


def canonical(value):
    """A plain structure to compare two configurations by what they hold (pickles of
    equal sets can differ in order; ClosedDays has no __eq__). A pydantic model and its
    frozen twin (config/frozen.py) come out alike: their fields, without a class name."""
    if isinstance(value, BaseModel):
        fields = {name: getattr(value, name) for name in type(value).model_fields}
        return canonical({**fields, **(value.model_extra or {})})
    if isinstance(value, FrozenLabels):
        return canonical(vars(value))
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return fields if type(value).__name__.startswith("Frozen") \
            else [type(value).__name__, fields]
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(canonical(v), sort_keys=True, default=str) for v in value)
    if hasattr(value, "__dict__"):  # its private attributes are caches (loaded holidays)
        return [type(value).__name__, canonical({k: v for k, v in vars(value).items()
                                                 if not k.startswith("_")})]
    return value


def test_the_compiled_configuration_is_the_one_the_files_give(config_dir):
    compile_config(config_dir)
    compiled = load_compiled(config_dir)
    assert compiled is not None
    fresh = load_portal_config(config_dir, compiled=False)
    assert canonical(compiled) == canonical(fresh)
    assert load_portal_config(config_dir) is not fresh  # the compiled one, loaded again
    assert canonical(load_portal_config(config_dir, load_holidays=True)) == canonical(fresh)


def test_the_compiled_form_checks_a_submission_as_the_validated_one_does(config_dir):
    from loket.domain.errors import ValidationFailed

    compile_config(config_dir)
    compiled, fresh = load_compiled(config_dir), load_portal_config(config_dir, compiled=False)
    assert type(compiled.form).__name__ == "FrozenForm"
    good = {"email": "Ann@Example.com", "product": "planner", "type": "problem-report",
            "subject": " Export  fails ", "description": "It fails.", "language": "nl"}
    assert (compiled.form.validate_submission(good, compiled.products)
            == fresh.form.validate_submission(good, fresh.products))
    bad = {**good, "product": "nothing", "email": "", "extra": "x"}
    errors = []
    for config in (compiled, fresh):
        with pytest.raises(ValidationFailed) as failed:
            config.form.validate_submission(bad, config.products)
        errors.append([(e.field, e.message) for e in failed.value.errors])
    assert errors[0] == errors[1] and len(errors[0]) == 3
    assert compiled.products["payroll"].get("de") == fresh.products["payroll"].get("de")
    assert compiled.products["planner"].get("de") == "Nordwind Planner"  # English, then
    assert compiled.accounts.default_plan.build() == fresh.accounts.default_plan.build()


def test_freezing_a_model_without_a_twin_fails_loudly():
    from loket.config.frozen import freeze
    from loket.config.workflow import WorkflowFile

    with pytest.raises(KeyError):
        freeze(WorkflowFile.model_construct())


def test_a_changed_file_makes_the_compiled_one_stale_until_compiled_again(config_dir):
    compile_config(config_dir)
    portal = config_dir / "portal.yml"
    portal.write_text(portal.read_text(encoding="utf-8").replace(
        "first_ticket_number: 10001", "first_ticket_number: 50001"), encoding="utf-8")
    assert load_portal_config(config_dir, compiled=False).first_ticket_number == 50001
    assert load_compiled(config_dir) is None
    assert load_portal_config(config_dir).first_ticket_number == 50001
    compile_config(config_dir)
    assert load_compiled(config_dir).first_ticket_number == 50001


def test_a_change_in_a_preset_it_does_not_use_still_counts(config_dir):
    """Any YAML under site_config is in the fingerprint: simpler than knowing which
    files a configuration reads, and never wrong."""
    compile_config(config_dir)
    readme = config_dir / "presets" / "review-board" / "workflow.yml"
    readme.write_text(readme.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert load_compiled(config_dir) is None


def test_a_damaged_or_missing_compiled_file_falls_back_to_the_files(config_dir):
    assert load_compiled(config_dir) is None
    compile_config(config_dir)
    (config_dir / COMPILED).write_bytes(b"not a pickle")
    assert load_compiled(config_dir) is None
    assert load_portal_config(config_dir).vendor


def test_an_invalid_configuration_cannot_be_compiled(config_dir):
    from loket.config import ConfigError

    (config_dir / "portal.yml").write_text("vendor: [\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        compile_config(config_dir)
    assert not (config_dir / COMPILED).exists()


PROBE = """
import json, sys
from pathlib import Path
from loket.config import load_portal_config
config = load_portal_config(Path(sys.argv[1]))
pydantic = "pydantic" in sys.modules
from loket.config.model import AccountsConfig, PortalFile, SubmissionLimits
from loket.config.workflow import WorkflowFile
from loket.domain.attachments import AttachmentLimits
from loket.domain.forms import FormDefinition
models = (PortalFile, WorkflowFile, FormDefinition, SubmissionLimits, AttachmentLimits,
          AccountsConfig)
print(json.dumps({"yaml": "yaml" in sys.modules, "pydantic": pydantic,
                  "vendor": config.vendor,
                  "built": [m.__name__ for m in models if m.__pydantic_complete__]}))
"""


def test_loading_the_compiled_configuration_reads_no_yaml_and_imports_no_pydantic(config_dir):
    compile_config(config_dir)
    out = subprocess.run([sys.executable, "-c", PROBE, str(config_dir)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {"yaml": False, "pydantic": False,
                                      "vendor": "Nordwind Software", "built": []}
    (config_dir / COMPILED).unlink()
    out = subprocess.run([sys.executable, "-c", PROBE, str(config_dir)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)  # the probe notices the difference
    assert loaded["yaml"] is True and loaded["pydantic"] is True


def test_a_pickled_calendar_knows_the_coming_years_holidays_without_the_package(monkeypatch):
    """The compiled configuration carries the public holidays of last year to a few
    years ahead, so a cold start never imports `holidays` for them; other years still
    come from the package."""
    import pickle
    from datetime import date, timedelta

    from loket.config.workflow import ClosedDays

    closed = ClosedDays("NL", None, frozenset({date(2026, 12, 24)}))
    year = date.today().year
    days = [date(year - 1, 1, 1) + timedelta(days=n)
            for n in range((date(year + ClosedDays.YEARS_AHEAD + 1, 1, 1)
                            - date(year - 1, 1, 1)).days)]
    expected = [day for day in days if day in closed]
    compiled = pickle.dumps(closed)
    monkeypatch.setitem(sys.modules, "holidays", None)  # Importing it now fails.
    copy = pickle.loads(compiled)
    assert [day for day in days if day in copy] == expected
    assert date(year, 12, 25) in copy and date(2026, 12, 24) in copy
    with pytest.raises(ImportError):
        date(year + ClosedDays.YEARS_AHEAD + 2, 12, 25) in copy
