"""deploy.mk rebuilds the Lambda zip when LAMBDA_RUNTIME_SDK changes: the SDK it ships
is part of what the zip is made from, so `make package LAMBDA_RUNTIME_SDK=1` after a
`make package` (or the reverse) never keeps the other kind of zip as up to date.

The real build takes minutes; here deploy.mk runs in a folder of its own with a stand-in
for the build script that records how it was called and writes the zip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make_zip(tree: Path, *variables: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    subprocess.run(["make", "--no-print-directory", "-f", "deploy.mk",
                    "build/loket-lambda.zip", f"DEPLOY_PYTHON={tree / 'fake_build.sh'}",
                    *variables], cwd=tree, env=env, check=True, capture_output=True,
                   text=True, timeout=60)
    calls = tree / "calls.txt"
    return calls.read_text() if calls.exists() else ""


def tree_with_a_built_site(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "deploy.mk", tmp_path / "deploy.mk")
    for name in ("serverless.yml", "pyproject.toml", "mkdocs.yml"):
        (tmp_path / name).write_text("")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".installed-dev").write_text("")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / ".site-built").write_text("")
    fake = tmp_path / "fake_build.sh"
    fake.write_text('#!/bin/sh\necho "$*" >> calls.txt\ntouch build/loket-lambda.zip\n')
    fake.chmod(0o755)
    return tmp_path


def test_changing_the_sdk_choice_rebuilds_the_zip(tmp_path):
    tree = tree_with_a_built_site(tmp_path)
    build = "tools/build_lambda_package.py"

    assert make_zip(tree).splitlines() == [build]
    assert make_zip(tree).splitlines() == [build]  # nothing changed: not built again
    assert make_zip(tree, "LAMBDA_RUNTIME_SDK=1").splitlines() == [
        build, f"{build} --runtime-sdk"]
    assert make_zip(tree, "LAMBDA_RUNTIME_SDK=1").splitlines() == [
        build, f"{build} --runtime-sdk"]
    assert make_zip(tree).splitlines() == [build, f"{build} --runtime-sdk", build]
