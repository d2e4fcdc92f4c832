"""Building the MkDocs site once per test session, strictly, as `make site` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT


def build_site(target: Path, *, root: Path = ROOT, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the project at root (mkdocs.yml, docs/, site_config/)."""
    mkdocs = Path(sys.executable).parent / "mkdocs"
    # As the Makefile: Material's notice about its future is no warning about the site.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run([str(mkdocs), "build", "--strict", "--site-dir", str(target)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
