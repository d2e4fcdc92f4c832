"""Attachments in a local folder (var/blobs by default), served by the app itself.

The browser's upload flow is the same as on S3: ask the API for an upload form, then
post the file there. Here the form posts back to the app (/api/uploads/<id>) with a
signed, short-lived token in place of S3's policy signature.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator

from itsdangerous import BadSignature, URLSafeTimedSerializer

from loket.ports import BlobInfo, UploadForm

_KEY = re.compile(r"^[a-z]+/[A-Za-z0-9_-]+(?:\.[a-z]+)?$")
UPLOAD_PATH = "/api/uploads/"


class FolderBlobs:
    """A BlobStore on a folder; writes land whole (temporary file, then rename)."""

    def __init__(self, root: str | Path, *, secret_key: str | list[str]):
        """`secret_key`: one key, or itsdangerous' list (the newest last signs; all are
        accepted while a key changes)."""
        self.root = Path(root)
        self._signer = URLSafeTimedSerializer(secret_key, salt="loket.blobs.upload")

    def _path(self, key: str) -> Path:
        # Keys are made by the services, never taken from a request as they are; the
        # pattern makes sure no key can leave the folder all the same.
        if not _KEY.match(key):
            raise ValueError(f"not a blob key: {key!r}")
        return self.root / key

    def upload_form(self, key: str, *, content_type: str, size: int,
                    expires_in: int) -> UploadForm:
        token = self._signer.dumps({"key": key, "expires_in": expires_in})
        return UploadForm(url=UPLOAD_PATH + key.rpartition("/")[2], fields={"token": token})

    def upload_allowed(self, key: str, token: str) -> bool:
        try:
            claims, signed_at = self._signer.loads(token, return_timestamp=True)
            age = datetime.now(timezone.utc) - signed_at
            return claims["key"] == key and age.total_seconds() <= claims["expires_in"]
        except (BadSignature, KeyError, TypeError):
            return False

    def put(self, key: str, stream: BinaryIO, *, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".part-", delete=False) as out:
            try:
                shutil.copyfileobj(stream, out, 1024 * 1024)
            except BaseException:
                out.close()
                os.unlink(out.name)
                raise
        os.replace(out.name, path)

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def head(self, key: str, length: int) -> bytes:
        with self._path(key).open("rb") as stream:
            return stream.read(length)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def copy(self, source: str, target: str) -> None:
        with self.open(source) as stream:
            self.put(target, stream, content_type="")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list_blobs(self, prefix: str) -> Iterator[BlobInfo]:
        folder, _, start = prefix.rpartition("/")
        try:
            entries = os.scandir(self.root / folder)
        except FileNotFoundError:
            return
        with entries:
            for entry in entries:
                key = f"{folder}/{entry.name}" if folder else entry.name
                # A write in progress (.part-...) is no blob yet.
                if entry.name.startswith(start) and _KEY.match(key) and entry.is_file():
                    modified = datetime.fromtimestamp(entry.stat().st_mtime, timezone.utc)
                    yield BlobInfo(key, modified)

    def download_url(self, key: str, *, name: str, content_type: str, inline: bool = False,
                     expires_in: int) -> str | None:
        return None  # The app streams the file itself.
