"""Known issues' tests: the workflow scenario desk (both stores), and the demo site
built twice in a copy of the project: as it is, and with a release note that fixes
PLN-142 (what a writer adds when the fix ships)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.site_build import build_site
from tests.workflow.conftest import make_desk  # noqa: F401  (the fixture, for these tests)

FIX_NOTE = """---
title: 'Nordwind Planner 2026.3: swaps reach the calendar feed'
product: planner
language: en
date: 2026-12-08
categories:
  - Planner
slug: planner-2026-3
description: Nordwind Planner 2026.3 fixes shift swaps approved in the mobile app.
fixes: [PLN-142]
---

# Nordwind Planner 2026.3: swaps reach the calendar feed

A shift swap approved in the mobile app now reaches subscribed calendars at once.

<!-- more -->

## Fixed

- Swaps approved in the mobile app showed the old employee in the calendar feed.
"""


@dataclass
class Sites:
    before: Path   # the demo site as it is in git
    after: Path    # with the release note that fixes PLN-142


def _project_copy(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    for folder in ("docs", "site_config"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture(scope="session")
def sites(tmp_path_factory) -> Sites:
    root = tmp_path_factory.mktemp("known-issues")
    project = _project_copy(root / "project")
    env = {"LOKET_SEARCH_INDEX": str(root / "index")}
    built = build_site(root / "before", root=project, env=env)
    assert built.returncode == 0, built.stderr
    (project / "docs/release-notes/posts/2026-12-08-planner-2026-3.md").write_text(
        FIX_NOTE, encoding="utf-8")
    built = build_site(root / "after", root=project, env=env)
    assert built.returncode == 0, built.stderr
    return Sites(root / "before", root / "after")
