"""The signing key of a local install, made once and kept in a file (var/secret_key).

A key made afresh at every start would break every signed link (rating links, upload
forms) and sign everyone out at each restart. So a local install makes its key the
first time and reads it back after; an explicit LOKET_SECRET_KEY always wins (settings.py).

The file is created whole or not at all: the key is written to a private temporary file
(mode 0600 from the start, never readable by others) which is then hard-linked into
place. A link never replaces an existing file, so when two processes start together one
key wins and both use it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def kept_secret_key(path: Path) -> str:
    """The key in `path`, made there first when there is none."""
    key = _read(path)
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # Another process made it first: its key is the one.
    finally:
        temporary.unlink(missing_ok=True)
    key = _read(path)
    if not key:
        raise RuntimeError(f"{path} holds no key: remove it, or set LOKET_SECRET_KEY")
    return key


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return ""
