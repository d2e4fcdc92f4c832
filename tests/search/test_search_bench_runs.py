"""bench/search_bench.py (run by `make bench`) reaches into WhooshSearcher for its raw
searcher: it must keep up with the searcher's code. Run small, for its exit status only
(figures are the bench's business, never a test's)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import ROOT

pytest.importorskip("tantivy")


def test_the_search_bench_runs_to_its_figures():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "search_bench.py"),
                             "--articles", "40", "--queries", "5"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "whoosh/tantivy" in result.stdout
