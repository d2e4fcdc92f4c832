#!/usr/bin/env python3
"""Build the Lambda deployment zip for Loket (build/loket-lambda.zip).

serverless.yml points `package.artifact` at the zip, so osls packages no Python
itself and no serverless plugin is needed. Standard library only: run it with any
Python 3; the work that depends on the Lambda runtime is done by a CPython of the
runtime's own version (found below), because:

* Lambda's python3.12 only uses bytecode in ``__pycache__/<mod>.cpython-312.pyc``.
  Bytecode of another CPython version (or legacy ``compileall -b`` files next to
  the sources) is ignored, and Lambda's /var/task is read-only, so every cold start
  would compile every module again (measured by the team: import time more than
  doubled without .pyc).
* The .pyc are written with ``--invalidation-mode unchecked-hash``: zip stores
  times with 2-second resolution, so timestamp-checked .pyc can look stale on
  Lambda; unchecked-hash .pyc are used as they are and make the build repeatable.

Steps: pip-install the locked runtime dependencies (requirements/runtime.txt, with
--require-hashes), then the project alone (package ``loket`` from functions/), as
manylinux2014 (or manylinux_2_28) wheels for the runtime's CPython into build/lambda/,
keep the locked AWS SDK (boto3, botocore and their dependencies: the versions the
tests ran with, as AWS recommends, rather than the runtime's older copy) with
botocore's data folder trimmed to the functions' services (tools/botocore_bundle.py;
--runtime-sdk leaves the SDK out instead), add site_config/ (LOKET_CONFIG_DIR is
relative to /var/task), the built site's page shell when there is one (the
portal pages are wrapped in it: LOKET_SITE_DIR defaults to site/, relative to
/var/task; run the site build first), compile, and write a reproducible zip plus a
manifest (build/loket-lambda.json) that tests and people can read.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import botocore_bundle  # noqa: E402  (beside this script)
import lambda_trim  # noqa: E402  (beside this script)

ROOT = Path(__file__).resolve().parent.parent

# What the Lambda Python runtimes ship in /var/runtime (importable by the
# functions): the AWS SDK, left out of the zip only with --runtime-sdk ...
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath")
# ... and the SDK's own dependencies, left out only when no bundled distribution
# other than the SDK requires them (such a requirement may need a newer version
# than the runtime's copy, and the copy in /var/task comes first on sys.path).
RUNTIME_SDK_DEPENDENCIES = ("python-dateutil", "six", "urllib3")

PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}

# A fixed time for every zip entry: the same inputs give the same zip (and osls
# then sees an unchanged artifact).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

LAMBDA_TASK_ROOT = "/var/task"
UNZIPPED_LIMIT = 250 * 1024 * 1024  # Lambda's limit for the unzipped package


def log(msg: str) -> None:
    print(f"build_lambda_package: {msg}", flush=True)


def fail(msg: str) -> "NoReturn":  # noqa: F821
    print(f"build_lambda_package: error: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def read_provider_setting(serverless_yml: Path, key: str) -> str | None:
    """Read `provider.<key>: value` from serverless.yml without a YAML library
    (the file uses CloudFormation tags that plain YAML loaders reject)."""
    in_provider = False
    for line in serverless_yml.read_text(encoding="utf-8").splitlines():
        if re.match(r"^provider:\s*(#.*)?$", line):
            in_provider = True
            continue
        if in_provider and re.match(r"^\S", line):
            break
        if in_provider:
            m = re.match(rf"^  {re.escape(key)}:\s*['\"]?([^'\"#\s]+)", line)
            if m:
                return m.group(1)
    return None


def python_version_of(exe: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [exe, "-c", "import sys; print(sys.implementation.name, *sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = out.stdout.split()
    if out.returncode != 0 or len(parts) != 3 or parts[0] != "cpython":
        return None
    return int(parts[1]), int(parts[2])


def find_python(version: tuple[int, int], explicit: str | None) -> str:
    """A CPython of exactly `version`: --python / $LAMBDA_PYTHON, else pythonX.Y on
    PATH, else pyenv's versions folder (our machines have pyenv's 3.12 there while
    the default python3 is 3.11; pyenv's shim on PATH refuses a version that is
    not selected, so the folder is searched directly)."""
    want = "%d.%d" % version
    if explicit:
        got = python_version_of(explicit)
        if got != version:
            fail(f"{explicit} is not CPython {want} (got {got}); the runtime in serverless.yml is python{want}")
        return explicit
    candidates = []
    on_path = shutil.which(f"python{want}")
    if on_path:
        candidates.append(on_path)
    roots = [os.environ.get("PYENV_ROOT"), os.path.expanduser("~/.pyenv")]
    for root in filter(None, roots):
        found = glob.glob(os.path.join(root, "versions", f"{want}.*", "bin", f"python{want}"))
        # newest patch release first
        found.sort(key=lambda p: [int(x) for x in re.findall(r"\d+", Path(p).parents[1].name)], reverse=True)
        candidates.extend(found)
    candidates += [f"/usr/bin/python{want}", f"/usr/local/bin/python{want}"]
    for exe in candidates:
        if os.path.exists(exe) and python_version_of(exe) == version:
            return exe
    fail(
        f"no CPython {want} found (needed to write bytecode Lambda python{want} uses). "
        f"Set LAMBDA_PYTHON=/path/to/python{want}, or change provider.runtime in serverless.yml."
    )


def run(cmd: list[str], **kw) -> None:
    res = subprocess.run(cmd, **kw)
    if res.returncode != 0:
        fail(f"command failed ({res.returncode}): {' '.join(map(str, cmd))}")


def stage_project(dest: Path) -> None:
    """Copy what pip needs to build the project into a clean folder: an in-tree
    setuptools build would leave build/lib and *.egg-info in the work tree, and a
    stale build/lib can put deleted modules back into the wheel."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache")
    for name in ("pyproject.toml", "setup.cfg", "setup.py", "MANIFEST.in"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    for pattern in ("README*", "LICENSE*", "COPYING*"):
        for path in ROOT.glob(pattern):
            if path.is_file():
                shutil.copy2(path, dest / path.name)
    shutil.copytree(ROOT / "functions", dest / "functions", ignore=ignore)


def dist_requirements(dist_info: Path) -> list[str]:
    """Names of the unconditional requirements of an installed distribution
    (requirements behind an `extra == ...` marker are not installed)."""
    names = []
    metadata = dist_info / "METADATA"
    if not metadata.exists():
        return names
    for line in metadata.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        spec = line.split(":", 1)[1].strip()
        if "extra ==" in spec.replace('"', "'").replace("extra==", "extra =="):
            continue
        m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
        if m:
            names.append(canonical(m.group(0)))
    return names


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_dists(site: Path) -> dict[str, Path]:
    out = {}
    for dist_info in site.glob("*.dist-info"):
        metadata = dist_info / "METADATA"
        name = None
        if metadata.exists():
            for line in metadata.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("Name:"):
                    name = line.split(":", 1)[1].strip()
                    break
        out[canonical(name or dist_info.name.split("-")[0])] = dist_info
    return out


def remove_dist(site: Path, dist_info: Path) -> None:
    """Remove an installed distribution by its RECORD (files and emptied folders)."""
    record = dist_info / "RECORD"
    folders = set()
    if record.exists():
        for row in record.read_text(encoding="utf-8").splitlines():
            rel = row.split(",", 1)[0]
            if not rel:
                continue
            path = (site / rel).resolve()
            if site.resolve() not in path.parents:
                continue  # e.g. ../../bin/script: outside the target, already gone
            if path.is_file() or path.is_symlink():
                path.unlink()
            folders.update(p for p in path.parents if site.resolve() in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        pycache = folder / "__pycache__"
        if pycache.is_dir():
            shutil.rmtree(pycache)
        try:
            folder.rmdir()
        except OSError:
            pass
    if dist_info.exists():
        shutil.rmtree(dist_info)


def drop_runtime_provided(site: Path) -> list[str]:
    dists = installed_dists(site)
    droppable = set(dists) & {canonical(n) for n in RUNTIME_SDK + RUNTIME_SDK_DEPENDENCIES}
    kept_for: dict[str, list[str]] = {}
    changed = True
    while changed:  # keeping a dependency may keep what it requires in turn
        changed = False
        for name, dist_info in dists.items():
            if name in droppable:
                continue
            for req in dist_requirements(dist_info):
                if req in droppable and req not in {canonical(n) for n in RUNTIME_SDK}:
                    droppable.discard(req)
                    kept_for.setdefault(req, []).append(name)
                    changed = True
    for name, by in sorted(kept_for.items()):
        log(f"keeping {name}: required by {', '.join(sorted(by))}")
    for name in sorted(droppable):
        remove_dist(site, dists[name])
    return sorted(droppable)


def compile_tree(py: str, site: Path) -> None:
    """Bytecode for every module, as __pycache__/<mod>.cpython-3XX.pyc, with the
    file names in tracebacks as Lambda sees them (/var/task/...)."""
    cmd = [
        # One process, in compileall's sorted order: marshal marks an object for
        # reuse by its reference count, which depends on what the same process compiled
        # before, so parallel workers write bytecode that differs from build to build.
        py, "-m", "compileall", "-q", "-j", "1",
        "--invalidation-mode", "unchecked-hash",
        "-s", str(site), "-p", LAMBDA_TASK_ROOT,
        str(site),
    ]
    # A fixed hash seed: a set literal compiles to a frozenset constant, which marshal
    # writes in hash order, so the bytecode (and the zip) would differ between builds.
    res = subprocess.run(cmd, capture_output=True, text=True,
                         env={**os.environ, "PYTHONHASHSEED": "0"})
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        fail("compileall failed")


def compile_config(py: str, site: Path) -> None:
    """The configuration validated now and pickled beside it (loket.config.compiled),
    by the runtime's CPython and the packaged code, so a cold start reads no YAML and
    validates nothing. A fixed hash seed: the pickle holds sets, written in hash order."""
    script = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
              "from loket.config.compiled import compile_config; "
              "print(compile_config(Path(sys.argv[1]) / 'site_config'))")
    # Not -I: isolated mode ignores PYTHONHASHSEED too. No site-packages (-S) and no
    # PYTHON* settings of the caller's instead: the packaged tree alone.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    res = subprocess.run([py, "-S", "-B", "-c", script, str(site)], capture_output=True,
                         text=True, cwd=site, env={**env, "PYTHONHASHSEED": "0"})
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        fail("the configuration in site_config/ does not load")
    log(f"precompiled the configuration: {Path(res.stdout.strip()).relative_to(site)}")


def write_zip(site: Path, zip_path: Path) -> tuple[int, int]:
    files = sorted(p for p in site.rglob("*") if p.is_file())
    tmp = zip_path.with_suffix(".zip.tmp")
    unzipped = 0
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            rel = path.relative_to(site).as_posix()
            info = zipfile.ZipInfo(rel, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the mode below is honoured
            info.external_attr = (0o100644 if not os.access(path, os.X_OK) else 0o100755) << 16
            data = path.read_bytes()
            unzipped += len(data)
            zf.writestr(info, data)
    tmp.replace(zip_path)
    return len(files), unzipped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--serverless-yml", default=str(ROOT / "serverless.yml"))
    ap.add_argument("--python", default=os.environ.get("LAMBDA_PYTHON") or None,
                    help="CPython matching the Lambda runtime (default: $LAMBDA_PYTHON or found)")
    ap.add_argument("--output", default=str(ROOT / "build" / "loket-lambda.zip"))
    ap.add_argument("--workdir", default=str(ROOT / "build" / "lambda"))
    ap.add_argument("--site-shell", default="site/support/page/index.html",
                    help="built page the portal wraps its pages in; shipped, with its "
                         "translations (site/<lang>/support/page/), when it exists")
    ap.add_argument("--search-index", default="search/index",
                    help="the knowledge-base index the suggestions answer from; shipped "
                         "when it exists (the site build makes it)")
    ap.add_argument("--runtime-sdk", action="store_true",
                    help="leave boto3/botocore out and use the Lambda runtime's (older, with "
                         "botocore's whole data: a smaller zip, a slower cold start)")
    args = ap.parse_args(argv)

    started = time.monotonic()
    serverless_yml = Path(args.serverless_yml)
    runtime = read_provider_setting(serverless_yml, "runtime")
    if not runtime or not re.fullmatch(r"python3\.\d+", runtime):
        fail(f"provider.runtime in {serverless_yml} is {runtime!r}, expected pythonX.Y")
    version = tuple(int(x) for x in runtime[len("python"):].split("."))
    architecture = read_provider_setting(serverless_yml, "architecture") or "x86_64"
    if architecture not in PLATFORMS:
        fail(f"provider.architecture {architecture!r} is not one of {sorted(PLATFORMS)}")
    py = find_python(version, args.python)
    log(f"runtime {runtime} ({architecture}), building with {py}")

    workdir = Path(args.workdir)
    zip_path = Path(args.output)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    zip_path.parent.mkdir(parents=True, exist_ok=True)

    pip_install = [
        py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-warn-script-location", "--no-compile",
        "--target", str(workdir),
        "--platform", PLATFORMS[architecture], "--implementation", "cp",
        "--python-version", "%d.%d" % version, "--only-binary=:all:",
        # The locked versions may ship only manylinux_2_28 wheels (argon2-cffi-bindings
        # 26 does); Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34).
        "--platform", PLATFORMS[architecture].replace("manylinux2014", "manylinux_2_28"),
    ]
    pip_env = {**os.environ, "PIP_ROOT_USER_ACTION": "ignore"}
    # The dependencies are the locked runtime set (`make lock`): the versions and the
    # very files the tests ran with, checked by hash; then the project alone.
    run(pip_install + ["--require-hashes", "-r", str(ROOT / "requirements" / "runtime.txt")],
        env=pip_env)
    with tempfile.TemporaryDirectory(prefix="loket-lambda-src-") as src:
        stage_project(Path(src))
        run(pip_install + ["--no-deps", src], env=pip_env)

    # Not for Lambda: console scripts, and pip's record of the temporary source
    # folder (which would change the zip on every build).
    shutil.rmtree(workdir / "bin", ignore_errors=True)
    for direct_url in workdir.glob("*.dist-info/direct_url.json"):
        direct_url.unlink()
        record = direct_url.parent / "RECORD"
        if record.exists():
            rows = record.read_text(encoding="utf-8").splitlines(keepends=True)
            record.write_text("".join(r for r in rows if "/direct_url.json," not in r), encoding="utf-8")
    for pycache in workdir.rglob("__pycache__"):
        shutil.rmtree(pycache)

    # The locked SDK ships, with botocore's data trimmed to the functions' services
    # (tools/botocore_bundle.py): every client made in the zip reads only that.
    dropped = drop_runtime_provided(workdir) if args.runtime_sdk else []
    if dropped:
        log("left out (provided by the Lambda runtime): " + ", ".join(dropped))
    else:
        botocore_bundle.trim_package_data(workdir / "botocore")
        log("botocore's data trimmed to " + ", ".join(botocore_bundle.SERVICES))
    # What never runs on Lambda (tools/lambda_trim.py says what and why).
    unused = lambda_trim.trim(workdir, ROOT / "site_config", remove_dist)
    log("left out (never runs on Lambda): " + ", ".join(unused["distributions"])
        + f" and {len(unused['paths'])} paths of whoosh, Pillow and holidays")

    config = ROOT / "site_config"
    if config.is_dir():
        shutil.copytree(config, workdir / "site_config",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".compiled"))
        compile_config(py, workdir)

    shell = Path(args.site_shell)
    shells = [shell] + sorted(p.relative_to(ROOT) for p in
                              ROOT.glob(f"{shell.parts[0]}/*/{Path(*shell.parts[1:])}"))
    shipped = [s for s in shells if (ROOT / s).is_file()]
    for rel in shipped:
        (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, workdir / rel)
    if shipped:
        log("shipping the site's page shells: " + ", ".join(map(str, shipped)))
    else:
        log(f"no {args.site_shell} (site not built): portal pages will use the plain layout")

    index = ROOT / args.search_index
    if index.is_dir():
        shutil.copytree(index, workdir / args.search_index)
        log(f"shipping the search index {args.search_index}")
    else:
        log(f"no {args.search_index} (site not built): suggestions will answer 503")

    compile_tree(py, workdir)
    lambda_trim.check(py, workdir, ROOT / "site_config", workdir / args.search_index)

    tag = "cpython-%d%d" % version
    missing = [
        str(p.relative_to(workdir)) for p in (workdir / "loket").rglob("*.py")
        if not (p.parent / "__pycache__" / f"{p.stem}.{tag}.pyc").exists()
    ]
    if missing:
        fail("no bytecode for: " + ", ".join(missing))

    count, unzipped = write_zip(workdir, zip_path)
    size = zip_path.stat().st_size
    if unzipped > UNZIPPED_LIMIT:
        fail(f"unzipped size {unzipped} bytes is over Lambda's limit of {UNZIPPED_LIMIT}")

    dists = installed_dists(workdir)
    manifest = {
        "zip": os.path.relpath(zip_path, ROOT),
        "runtime": runtime,
        "architecture": architecture,
        "platform": PLATFORMS[architecture],
        "python": py,
        "python_version": "%d.%d" % version,
        "bytecode_tag": tag,
        "invalidation_mode": "unchecked-hash",
        "files": count,
        "zip_bytes": size,
        "unzipped_bytes": unzipped,
        "left_out_runtime_provided": dropped,
        "botocore_data_services": [] if dropped else list(botocore_bundle.SERVICES),
        "left_out_not_used": unused,
        "site_shell": args.site_shell if shell.is_file() else None,
        "distributions": sorted(
            f"{name}=={d.name[:-len('.dist-info')].split('-')[-1]}" for name, d in dists.items()
        ),
        "seconds": round(time.monotonic() - started, 1),
    }
    zip_path.with_suffix(".json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(f"{zip_path.relative_to(ROOT) if zip_path.is_relative_to(ROOT) else zip_path}: "
        f"{count} files, {size / 1e6:.1f} MB zipped, {unzipped / 1e6:.1f} MB unzipped, "
        f"{manifest['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
