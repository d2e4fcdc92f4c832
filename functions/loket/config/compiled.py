"""The configuration validated once, when the Lambda zip is built, and loaded as it is.

Reading site_config/ means parsing YAML and validating it with pydantic, which builds
each model's validator first: tens of milliseconds that every cold start would pay for
the same files. The build (tools/build_lambda_package.py, `loket config-compile`) runs
`compile_config`, which validates as always and pickles the resulting PortalConfig
beside the files, its pydantic models turned into plain frozen dataclasses
(config/frozen.py: loading it imports no pydantic, a third of a bare handler's cold
start); `load_compiled` returns it, without YAML or validation, as long as the
fingerprint still matches: the same configuration files, the same Loket code that
defines what they mean, the same Python. Anything else, and the
configuration is read from the files again (load_portal_config falls back by itself).

The pickle is part of the deployment package, made by the same build as the code next to
it; like that code, it is trusted. It is never read from anywhere else.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from pathlib import Path

COMPILED = ".compiled/portal-config.pickle"
# The Loket modules that define what a configuration file means: a change to any of
# them makes an old pickle stale.
_CODE = ("config", "domain")


def fingerprint(config_dir: Path) -> str:
    """What the compiled configuration was made from: every YAML file under config_dir
    (presets too: portal.yml may name any of them), the code that reads them, and the
    version of Python that pickled it. (Not pydantic's: the pickle holds none of its
    objects, and asking its version would import it.)"""
    digest = hashlib.sha256()
    digest.update(f"{sys.version_info[:2]}\n".encode())
    files = [(p.relative_to(config_dir).as_posix(), p) for p in _config_files(config_dir)]
    package = Path(__file__).resolve().parent.parent
    files += [(f"loket/{folder}/{name}", package / folder / name) for folder in _CODE
              for name in sorted(n for n in os.listdir(package / folder) if n.endswith(".py"))]
    for name, path in files:
        digest.update(f"{name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _config_files(config_dir: Path) -> list[Path]:
    """Every YAML file under config_dir, and the canned replies (replies/*.md, which are
    configuration too: a changed one is read anew); not what is in .compiled/. One walk
    of the folder: a cold start checks the fingerprint (pathlib's rglob, a walk per
    pattern, cost it a few milliseconds)."""
    found = []
    for folder, subfolders, names in os.walk(config_dir):
        subfolders[:] = [name for name in subfolders if name != COMPILED.split("/")[0]]
        in_replies = folder != str(config_dir) and os.path.basename(folder) == "replies"
        found += [Path(folder, name) for name in names if name.endswith((".yml", ".yaml"))
                  or (in_replies and name.endswith(".md"))]
    return sorted(found)


def compile_config(config_dir: Path) -> Path:
    """Validate config_dir's configuration and write it, pickled, to config_dir/COMPILED."""
    from loket.config.frozen import freeze_config
    from loket.config.loader import load_portal_config

    config_dir = Path(config_dir)
    config = freeze_config(load_portal_config(config_dir, compiled=False))
    out = config_dir / COMPILED
    out.parent.mkdir(parents=True, exist_ok=True)
    # Two pickles: the fingerprint first, so a stale file is known before its objects
    # are rebuilt (with code that may no longer fit them).
    payload = (pickle.dumps(fingerprint(config_dir), protocol=pickle.HIGHEST_PROTOCOL)
               + pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL))
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(payload)
    tmp.replace(out)
    return out


def load_compiled(config_dir: Path):
    """The precompiled PortalConfig of config_dir, or None when there is none or it is
    stale (then the files are read as usual)."""
    path = Path(config_dir) / COMPILED
    try:
        data = path.read_bytes()
    except OSError:
        return None
    stream = io.BytesIO(data)
    try:
        if pickle.load(stream) != fingerprint(Path(config_dir)):
            return None
        return pickle.load(stream)
    except Exception:  # A damaged file: as good as stale.
        return None
