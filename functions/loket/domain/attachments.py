"""Files on tickets: attachments of messages, uploads waiting to be attached, the
limits from site_config/portal.yml, and what makes a file's name and type safe."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import quote

MiB = 1024 * 1024
MAX_NAME_LENGTH = 120
# Types a browser would run in the site's origin if it ever showed them inline. They
# are refused as configuration: downloads are forced and sandboxed anyway, but a
# support portal has no need to hold them.
ACTIVE_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml",
                          "application/xml", "text/xml", "text/javascript",
                          "application/javascript", "application/x-javascript"})
# Types that a browser shows but never runs: served with their own type. Anything else
# is served as application/octet-stream, so even a type an operator allows later can
# never be rendered by the browser (downloads carry Content-Disposition: attachment).
INERT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp",
                         "application/pdf", "text/plain", "text/csv", "application/zip",
                         "application/gzip", "video/mp4", "video/webm", "video/quicktime",
                         "message/rfc822"})
# Images Pillow reads, so they get a thumbnail.
THUMBNAIL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DEFAULT_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
                 "text/plain", "text/csv", "application/zip", "application/gzip",
                 "video/mp4", "video/webm", "video/quicktime",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
# The extensions that fit a type; the first is the one added to a name that has none
# of them, so a saved file opens as what it is (a .bat that is really text stays text).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/png": ("png",), "image/jpeg": ("jpg", "jpeg", "jfif", "jpe"),
    "image/gif": ("gif",), "image/webp": ("webp",), "application/pdf": ("pdf",),
    "text/plain": ("txt", "log", "csv", "tsv", "json", "yaml", "yml", "ini", "cfg",
                   "conf", "md", "sql", "out", "err", "trace", "properties"),
    "text/csv": ("csv", "tsv", "txt"), "application/zip": ("zip",),
    "message/rfc822": ("eml",),
    "application/gzip": ("gz", "tgz"), "video/mp4": ("mp4", "m4v"),
    "video/webm": ("webm",), "video/quicktime": ("mov",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
}
_TYPE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def __getattr__(name: str):
    # The pydantic model that validates portal.yml's `attachments:` lives with the
    # configuration (config/attachment_limits.py), imported only when asked for: the
    # request path reads the limits from a plain object (FrozenAttachmentLimits) and a
    # cold start never imports pydantic.
    if name in ("AttachmentLimits", "ContentType"):
        from loket.config import attachment_limits

        return getattr(attachment_limits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class FrozenAttachmentLimits:
    """AttachmentLimits as validated, without pydantic: what the configuration holds."""

    max_file_bytes: int
    max_files_per_message: int
    max_bytes_per_ticket: int
    max_upload_bytes_per_address_per_day: int
    allowed_types: list[str]


@dataclass(frozen=True)
class Attachment:
    """A file on a message. `key` (and `thumbnail_key`) name its blobs; `id` names it
    in URLs, under the ticket, for those who may see the ticket."""

    id: str
    name: str
    content_type: str
    size: int
    key: str
    thumbnail_key: str | None = None


@dataclass(frozen=True)
class Upload:
    """A file uploaded ahead of the message it belongs to, kept until `expires_at`
    unless a message claims it. `name`, `content_type` and `size` are as announced;
    the content is checked again when it is attached."""

    id: str
    name: str
    content_type: str
    size: int
    created_at: datetime
    expires_at: datetime
    # Set once a stored message holds it, with the Idempotency-Key of that request.
    ticket: int | None = None
    claim_key: str | None = None

    @property
    def key(self) -> str:
        return upload_key(self.id)

    @property
    def attached(self) -> bool:
        return self.ticket is not None


def new_id() -> str:
    return secrets.token_urlsafe(16)


def valid_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


def upload_key(upload_id: str) -> str:
    """Where an upload waits. S3's lifecycle rule on uploads/ removes leftovers."""
    return f"uploads/{upload_id}"


def attachment_key(attachment_id: str) -> str:
    return f"attachments/{attachment_id}"


def thumbnail_key(attachment_id: str) -> str:
    return f"thumbnails/{attachment_id}.png"


def clean_name(name: object) -> str:
    """A file name safe to store and show: no folders, no control characters, no
    leading dots, at most MAX_NAME_LENGTH characters with its extension kept."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split()).lstrip(". ").rstrip(". ")
    if not text:
        return "attachment"
    stem, dot, extension = text.rpartition(".")
    if not dot or not stem or not _EXTENSION.match(extension):
        return text[:MAX_NAME_LENGTH].rstrip()
    return stem[:MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension


def name_for_type(name: str, content_type: str) -> str:
    """`name`, with an extension that fits `content_type` added when it has none that
    does: report.html holding a PNG is saved as report.html.png."""
    suffix = PurePosixPath(name).suffix.lstrip(".").lower()
    fitting = EXTENSIONS.get(content_type, ("bin",))
    if suffix in fitting:
        return name
    extension = fitting[0]
    return clean_name(f"{name[:MAX_NAME_LENGTH - len(extension) - 1]}.{extension}")


def accepted_kinds(types: list[str]) -> str:
    """The accepted types as people know them: PNG, JPG, PDF, ... (by extension)."""
    kinds = [EXTENSIONS[t][0].upper() if t in EXTENSIONS else t for t in types]
    return ", ".join(dict.fromkeys(kinds))


def accept_attribute(types: list[str]) -> str:
    """An <input type=file> accept= list: the types and their extensions, so a file
    picker offers a .log file (text/plain in content, often no type by name) too."""
    extensions = [f".{e}" for t in types for e in EXTENSIONS.get(t, ())]
    return ",".join(dict.fromkeys([*types, *extensions]))


def download_type(content_type: str) -> str:
    """The Content-Type a download is served with: its own when inert, else bytes."""
    return content_type if content_type in INERT_TYPES else "application/octet-stream"


def describe_size(size: int) -> str:
    if size >= MiB:
        return f"{size / MiB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """`attachment; filename=...` with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                       for c in name) or "attachment"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
