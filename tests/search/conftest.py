"""Search fixtures: a small rendered site and its index, and the demo site built by MkDocs."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from loket.search.index import build_index_from_site
from loket.search.query import WhooshSearcher
from tests.paths import ROOT
from tests.search.small_site import write_small_site


@dataclass
class BuiltSite:
    site: Path
    index: Path


@pytest.fixture(scope="session")
def small_site(tmp_path_factory) -> BuiltSite:
    root = tmp_path_factory.mktemp("small")
    site = write_small_site(root / "site")
    build_index_from_site(site, root / "index")
    return BuiltSite(site, root / "index")


@pytest.fixture(scope="session")
def searcher(small_site):
    searcher = WhooshSearcher(small_site.index)
    yield searcher
    searcher.close()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> BuiltSite:
    """The real docs/, built strictly by MkDocs; the search hook writes the index."""
    root = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "LOKET_SEARCH_INDEX": str(root / "index"), "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = Path(sys.executable).parent / "mkdocs"
    result = subprocess.run([str(mkdocs), "build", "--strict", "--site-dir", str(root / "site")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return BuiltSite(root / "site", root / "index")


@pytest.fixture(scope="session")
def demo_searcher(demo_site):
    searcher = WhooshSearcher(demo_site.index)
    yield searcher
    searcher.close()
