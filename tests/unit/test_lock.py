"""The lock files (requirements/*.txt, made by `make lock`) are what every install uses:
they must match pyproject.toml, pin every package with hashes, and agree with each other."""

from __future__ import annotations

import importlib.util
import re

import pytest

from tests.paths import ROOT


def load_locker():
    path = ROOT / "tools" / "lock_dependencies.py"
    spec = importlib.util.spec_from_file_location("loket_lock_dependencies_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


locker = load_locker()


def locked_versions(name: str) -> dict[tuple[str, str], str]:
    """(package, environment marker) -> version, from one lock file."""
    pinned = {}
    for line in locker.pins(ROOT / "requirements" / f"{name}.txt"):
        requirement, _, marker = line.partition(";")
        package, _, version = requirement.strip().partition("==")
        pinned[(package.lower(), marker.strip())] = version
    return pinned


def test_the_locks_match_pyproject():
    assert locker.stale_locks() == [], "pyproject.toml's dependencies changed: run `make lock`"


@pytest.mark.parametrize("change", [
    ('"pyyaml>=6",', '"pyyaml>=6",\n    "aiosmtpd>=1.4",'),       # a new dependency
    ('"pytest>=8",', '"pytest>=8.3",'),                              # a changed bound
    ('requires-python = ">=3.11"', 'requires-python = ">=3.12"'),
])
def test_a_changed_dependency_list_makes_every_lock_stale(tmp_path, change):
    pyproject = tmp_path / "pyproject.toml"
    text = (ROOT / "pyproject.toml").read_text()
    assert change[0] in text
    pyproject.write_text(text.replace(change[0], change[1], 1))
    assert locker.stale_locks(pyproject) == list(locker.SETS)


def test_a_change_outside_the_dependency_lists_keeps_the_locks(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text((ROOT / "pyproject.toml").read_text().replace(
        'version = "0.1.0"', 'version = "0.1.1"', 1))
    assert locker.stale_locks(pyproject) == []


@pytest.mark.parametrize("name", list(locker.SETS))
def test_every_locked_package_is_pinned_with_hashes(name):
    text = (ROOT / "requirements" / f"{name}.txt").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(entries) > 10
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9._-]+==\S+", entry), entry
        assert "--hash=sha256:" in entry, entry


def test_the_sets_agree_on_versions():
    dev = locked_versions("dev")
    for name in ("site", "runtime"):
        for key, version in locked_versions(name).items():
            assert dev.get(key) == version, (name, key)
    runtime = {package for package, _ in locked_versions("runtime")}
    assert {"flask", "pydantic", "boto3", "whoosh-ng"} <= runtime
    assert "pytest" not in runtime and "mkdocs" not in runtime


def test_the_dev_lock_holds_every_extra():
    """`make test` and `make bench` install the dev lock only: a package of any extra
    (bench's tantivy) missing from it breaks a script on a fresh clone."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    dev = {package for package, _ in locked_versions("dev")}
    for extra, requirements in extras.items():
        for requirement in requirements:
            name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower()
            if name != "loket":
                assert name in dev, (extra, requirement)


def test_every_install_uses_the_locks():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements/site.txt" in makefile
    assert "--require-hashes -r requirements/dev.txt" in makefile
    builder = (ROOT / "tools" / "build_lambda_package.py").read_text()
    assert '"--require-hashes", "-r", str(ROOT / "requirements" / "runtime.txt")' in builder
