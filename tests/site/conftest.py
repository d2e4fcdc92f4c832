"""The demo site built strictly once per session, and copies of the project to break."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.site_build import build_site


@dataclass
class Build:
    site: Path
    result: subprocess.CompletedProcess


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Build:
    root = tmp_path_factory.mktemp("demo-site")
    result = build_site(root / "site", env={"LOKET_SEARCH_INDEX": str(root / "index")})
    return Build(root / "site", result)


@pytest.fixture(scope="session")
def demo_site(demo_build) -> Path:
    assert demo_build.result.returncode == 0, demo_build.result.stderr
    return demo_build.site


@dataclass
class Project:
    """A copy of what the site build reads: mkdocs.yml, docs/ and site_config/."""

    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def build(self) -> subprocess.CompletedProcess:
        return build_site(self.root / "site", root=self.root,
                          env={"LOKET_SEARCH_INDEX": str(self.root / "search-index")})


@pytest.fixture
def project(tmp_path) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("docs", "site_config"):
        shutil.copytree(ROOT / folder, root / folder, ignore=ignore)
    return Project(root)
