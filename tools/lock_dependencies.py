#!/usr/bin/env python3
"""Lock Loket's dependencies: requirements/{runtime,site,dev}.txt from pyproject.toml.

    make lock            # write the three lock files (needs PyPI); keeps locked versions
    make lock-upgrade    # the same, taking the newest versions pyproject.toml allows
    python3 tools/lock_dependencies.py --check   # fail when pyproject.toml changed since

Every lock pins exact versions with the sha256 of every file PyPI has for them, so
`pip install --require-hashes -r requirements/<set>.txt` installs the same bytes
everywhere: `make serve` (site), `make test` and CI (dev), the Lambda zip (runtime).
The sets are resolved together (dev first, the others constrained to its versions), so
a package has one version in all three. The resolution is universal (every platform
and Python version pyproject allows): the Lambda zip installs manylinux wheels for
Python 3.12 from the same file that a laptop on 3.11 installs from.

Each lock starts with a digest of pyproject's dependency lists; `--check` (run before
every install by the Makefile, and by tests/unit/test_lock.py) compares it, so adding a
dependency without `make lock` fails at once instead of drifting. Standard library only
for --check; locking needs uv (in the dev set; `pip install uv` elsewhere).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCKS = ROOT / "requirements"
# Lock name -> the extras of pyproject it holds (besides the project's dependencies).
SETS = {"dev": ["dev"], "site": ["site"], "runtime": []}
DIGEST_LINE = "# pyproject-dependencies-sha256: "
INDEX = "https://pypi.org/simple"


def dependency_digest(pyproject: Path = PYPROJECT) -> str:
    """A hash of what the locks are made from: requires-python and every dependency list."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    relevant = {"requires-python": project.get("requires-python"),
                "dependencies": project.get("dependencies", []),
                "optional-dependencies": project.get("optional-dependencies", {})}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def locked_digest(lock: Path) -> str | None:
    if not lock.exists():
        return None
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST_LINE):
            return line[len(DIGEST_LINE):].strip()
    return None


def stale_locks(pyproject: Path = PYPROJECT, locks: Path = LOCKS) -> list[str]:
    """The lock files that are missing or were made from other dependency lists."""
    digest = dependency_digest(pyproject)
    return [name for name in SETS if locked_digest(locks / f"{name}.txt") != digest]


def pins(lock: Path) -> list[str]:
    """`name==version ; marker` lines of a lock, without hashes: constraints for the others."""
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.split("--hash")[0].strip() for line in text.splitlines()
            if re.match(r"^[A-Za-z0-9]", line)]


def uv() -> str:
    found = shutil.which("uv", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if not found:
        raise SystemExit("lock_dependencies: uv is not installed: pip install uv")
    return found


def compile_set(name: str, extras: list[str], constraints: Path | None, digest: str,
                upgrade: bool) -> None:
    out = LOCKS / f"{name}.txt"
    command = [uv(), "pip", "compile", str(PYPROJECT), "--quiet", "--universal",
               "--generate-hashes", "--no-header", "--annotation-style", "line",
               "--index-url", INDEX, "--output-file", str(out)]
    command += [f"--extra={extra}" for extra in extras]
    if constraints:
        command += ["--constraint", str(constraints)]
    # uv keeps the versions the lock file already pins (a new dependency moves nothing
    # else) unless asked to upgrade.
    if upgrade:
        command.append("--upgrade")
    subprocess.run(command, check=True, cwd=ROOT,
                   env={**os.environ, "UV_NO_CONFIG": "1"})
    # uv names the temporary constraints file in its "# via" notes: drop it, so that
    # the same inputs give the same file.
    body = re.sub(r",? -c \S+", "", out.read_text(encoding="utf-8"))
    body = re.sub(r"\n +# via *(?=\n)", "", body)
    header = (f"# Loket's {name} dependencies, locked with hashes. Do not edit: change "
              f"pyproject.toml and run `make lock`.\n{DIGEST_LINE}{digest}\n")
    out.write_text(header + body, encoding="utf-8")


def lock(upgrade: bool) -> None:
    LOCKS.mkdir(exist_ok=True)
    digest = dependency_digest()
    compile_set("dev", SETS["dev"], None, digest, upgrade)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write("\n".join(pins(LOCKS / "dev.txt")) + "\n")
    try:
        for name in ("site", "runtime"):
            compile_set(name, SETS[name], Path(constraints.name), digest, upgrade)
    finally:
        os.unlink(constraints.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the locks match pyproject.toml")
    parser.add_argument("--upgrade", action="store_true",
                        help="take the newest allowed versions, not the locked ones")
    args = parser.parse_args(argv)
    if not args.check:
        lock(args.upgrade)
    stale = stale_locks()
    if stale:
        print(f"requirements/{{{','.join(stale)}}}.txt do not match pyproject.toml's "
              "dependencies: run `make lock` and commit requirements/.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
