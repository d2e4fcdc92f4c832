"""Building the MkDocs site once per test session, strictly, as `make site` does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT


def build_site(target: Path) -> subprocess.CompletedProcess:
    mkdocs = Path(sys.executable).parent / "mkdocs"
    return subprocess.run([str(mkdocs), "build", "--strict", "--site-dir", str(target)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
