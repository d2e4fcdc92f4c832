"""Files on tickets: start an upload, take it in (locally), attach files to a message,
serve them to those who may see the ticket, and clean up what was never attached.

A file reaches a message in one of two ways. A browser with JavaScript uploads each
file ahead of the message (start_upload, then a POST to S3 or to the app) and sends
the upload ids with the message. A form post without JavaScript, or an e-mail, brings
the files inline. Either way `check_files` reads what each file really is (its first
bytes, never its name) against the limits in portal.yml, and `FileBatch.store` puts
each file at its final key (with a thumbnail for images) *before* the message that
names it is stored: a stored message never points at a file that is not there.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, BinaryIO, Mapping, Sequence

from loket.domain.attachments import (MiB, THUMBNAIL_TYPES, Attachment, Upload, accepted_kinds,
                                      attachment_key, clean_name, describe_size,
                                      download_type, new_id, name_for_type, thumbnail_key,
                                      valid_id)
from loket.domain.content import SNIFF_BYTES, sniff
from loket.domain.errors import (AttachmentNotFound, FieldError, RateLimited, UploadNotFound,
                                 ValidationFailed)
from loket.domain.text import has_visible_character
from loket.ports import BlobStore
from loket.services.context import Services
from loket.services.ratelimit import check_rate, current_window

log = logging.getLogger(__name__)

# An upload not attached within a day is removed (S3's lifecycle rule on uploads/ says
# the same); the form to post it is good for an hour, a download link for five minutes.
UPLOAD_LIFETIME = timedelta(days=1)
UPLOAD_FORM_SECONDS = 3600
DOWNLOAD_SECONDS = 300
FIELD = "attachments"
MAIL_TYPE = "message/rfc822"


@dataclass(frozen=True, eq=False)
class StartedUpload:
    """Where the browser posts the file: `fields` first, then the file as `file`."""

    upload: Upload
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class InlineFile:
    """A file that came inside the request: a form post without JavaScript, an e-mail."""

    name: str
    stream: BinaryIO
    # What the sender said it is. Only trusted where content cannot tell: a forwarded
    # e-mail is text, and its MIME part said it is a message (MAIL_TYPE).
    declared_type: str = ""


@dataclass(eq=False)
class _File:
    """One file of a message, checked and ready to be stored."""

    id: str
    name: str
    content_type: str
    size: int
    upload: Upload | None = None
    inline: InlineFile | None = None
    # Already attached by an earlier try of this same request (same Idempotency-Key):
    # that request's ticket is the answer, so nothing is stored again.
    replayed: bool = False


@dataclass(eq=False)
class FileBatch:
    """The files for one message: `errors` when any is refused, else ready to store."""

    files: list[_File] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    stored: tuple[Attachment, ...] = ()

    @property
    def fingerprint(self) -> list[Any]:
        """What identifies these files in a request, for the idempotency check."""
        return [f.upload.id if f.upload else [f.name, f.size] for f in self.files]

    def store(self, services: Services) -> tuple[Attachment, ...]:
        """Put every file at its final key, thumbnails too; call before storing the message."""
        self.stored = tuple(_store(services, f) for f in self.files)
        return self.stored

    def discard(self, services: Services) -> None:
        """Remove what store() put, when the store said no message will name it (a
        re-delivered mail, a retried request: the first one's files are the ticket's).
        Only files that came inline: their ids are new, so nothing else can name them;
        an upload's final key may be named by the request that attached it. Never call
        on an error that leaves it unknown whether the message was stored: such files
        are left to the clean-up of blobs no message names (remove_unnamed_blobs)."""
        for item, attachment in zip(self.files, self.stored):
            if item.inline is None or item.replayed:
                continue
            for key in filter(None, (attachment.key, attachment.thumbnail_key)):
                try:
                    _blobs(services).delete(key)
                except Exception:  # Left for the clean-up; the request is answered.
                    log.exception("blob %s of a discarded message was not removed", key)
        self.stored = ()

    def settle(self, services: Services, ticket: int, claim_key: str | None = None) -> None:
        """After the message is stored: the uploads are attached, their waiting copies
        go. A failure here loses nothing (what is left over expires), so it is logged."""
        claimed = [f.upload for f in self.files if f.upload and not f.replayed]
        if not claimed:
            return
        try:
            services.store.mark_uploads_attached([u.id for u in claimed], ticket=ticket,
                                                 claim_key=claim_key)
            for upload in claimed:
                _blobs(services).delete(upload.key)
        except Exception:
            log.exception("uploads of ticket %s were stored but not settled", ticket)


# -- uploading ahead of the message ------------------------------------------------------

def start_upload(services: Services, data: Mapping[str, Any], *,
                 client_address: str) -> StartedUpload:
    """Check what the browser announces ({name, size, type}) and give it a form to post
    the file with. The type is only what the browser guesses (Windows calls a CSV file
    application/vnd.ms-excel): the content decides when the file is attached."""
    limits = services.config.attachments
    errors = [FieldError(k, "unknown field") for k in data if k not in ("name", "size", "type")]
    name, size, declared = data.get("name"), data.get("size"), data.get("type", "")
    if not isinstance(name, str) or not has_visible_character(name):
        errors.append(FieldError("name", "is required: the file's name"))
    if isinstance(size, float) and size.is_integer():
        size = int(size)  # JSON has one number type: 2048.0 is 2048.
    if isinstance(size, bool) or not isinstance(size, int):
        errors.append(FieldError("size", "is required: the file's size in bytes"))
    elif size <= 0:
        errors.append(FieldError("size", "must be more than 0: the file is empty"))
    elif size > limits.max_file_bytes:
        errors.append(FieldError("size", _too_large(size, limits.max_file_bytes)))
    if not isinstance(declared, str):
        errors.append(FieldError("type", "must be text, like image/png"))
    if errors:
        raise ValidationFailed(errors)
    blobs = _blobs(services)
    _check_upload_rate(services, client_address)
    _check_upload_bytes(services, client_address, size)
    now = services.clock.now()
    # The stored object is held to this type; an unlisted guess is stored as bytes.
    content_type = declared if declared in limits.allowed_types else "application/octet-stream"
    upload = Upload(id=new_id(), name=clean_name(name), content_type=content_type, size=size,
                    created_at=now, expires_at=now + UPLOAD_LIFETIME)
    services.store.create_upload(upload)
    form = blobs.upload_form(upload.key, content_type=content_type, size=size,
                             expires_in=UPLOAD_FORM_SECONDS)
    return StartedUpload(upload, form.url, form.fields)


def receive_upload(services: Services, upload_id: str, token: str, stream: BinaryIO) -> Upload:
    """Take in the file of a pending upload posted to the app (the folder store's form).
    Exactly the announced number of bytes, as S3's policy would insist."""
    upload = pending_upload(services, upload_id)
    blobs = _blobs(services)
    if not blobs.upload_allowed(upload.key, token or ""):
        raise UploadNotFound(upload_id)
    counted = _CountingReader(stream, upload.size)
    try:
        blobs.put(upload.key, counted, content_type=upload.content_type)
    except _TooLarge:
        raise ValidationFailed([FieldError("file", f"is larger than the {upload.size} bytes "
                                                   "announced")]) from None
    if counted.count != upload.size:
        blobs.delete(upload.key)
        raise ValidationFailed([FieldError("file", f"is {counted.count} bytes, not the "
                                                   f"{upload.size} bytes announced")])
    return upload


def pending_upload(services: Services, upload_id: str) -> Upload:
    """The upload waiting under this id; UploadNotFound when unknown, expired or attached."""
    upload = services.store.get_upload(upload_id) if valid_id(upload_id) else None
    if upload is None or upload.attached or upload.expires_at <= services.clock.now():
        raise UploadNotFound(upload_id)
    return upload


class _TooLarge(Exception):
    pass


class _CountingReader(io.RawIOBase):
    """Reads `stream`, counting, and fails past `limit` bytes."""

    def __init__(self, stream: BinaryIO, limit: int):
        self.stream, self.limit, self.count = stream, limit, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.count += len(chunk)
        if self.count > self.limit:
            raise _TooLarge()
        return chunk


def _check_upload_rate(services: Services, client_address: str) -> None:
    """Uploads per address and hour: as many as the files of the submissions allowed."""
    config = services.config
    check_rate(services, f"upload:{client_address}:hour",
               config.submissions.per_hour * config.attachments.max_files_per_message,
               "hour", 3600)


def _check_upload_bytes(services: Services, client_address: str, size: int) -> None:
    """Bytes uploaded per address and day (as announced: the upload form holds the
    browser to exactly that size). A refused upload counts nothing."""
    limit = services.config.attachments.max_upload_bytes_per_address_per_day
    window = current_window(services, 86400)
    key = f"upload-bytes:{client_address}:day"
    if window.add(services, key, size) > limit:
        window.add(services, key, -size)
        raise RateLimited(limit=limit // MiB, window="day", retry_after=window.retry_after,
                          unit="MiB of uploads")


# -- checking the files of a message -----------------------------------------------------

def check_files(services: Services, upload_ids: object, files: Sequence[InlineFile] = (), *,
                ticket: int | None = None, claim_key: str | None = None) -> FileBatch:
    """Check a message's files against portal.yml's limits: upload ids (as sent to the
    API) and inline files. Every refusal names its file, attachments[i]."""
    batch = FileBatch()
    if upload_ids in (None, ""):
        upload_ids = []
    if not isinstance(upload_ids, list) or not all(isinstance(i, str) for i in upload_ids):
        batch.errors.append(FieldError(FIELD, "must be a list of upload ids"))
        return batch
    count = len(upload_ids) + len(files)
    if not count:
        return batch
    limits = services.config.attachments
    if services.blobs is None:
        batch.errors.append(FieldError(FIELD, "files cannot be attached here"))
        return batch
    if count > limits.max_files_per_message:
        batch.errors.append(FieldError(FIELD, f"are too many: {count} files; at most "
                                              f"{limits.max_files_per_message} per message"))
        return batch
    now = services.clock.now()
    for i, upload_id in enumerate(upload_ids):
        where = f"{FIELD}[{i}]"
        if upload_id in upload_ids[:i]:
            batch.errors.append(FieldError(where, "is listed twice"))
            continue
        _add(batch, where, lambda: _uploaded_file(services, upload_id, now, claim_key))
    for i, inline in enumerate(files, start=len(upload_ids)):
        _add(batch, f"{FIELD}[{i}]", lambda: _inline_file(services, inline))
    if not batch.errors:
        _check_ticket_total(services, batch, ticket)
    return batch


def screen_files(services: Services, files: Sequence[InlineFile], *,
                 ticket: int | None = None) -> tuple[list[InlineFile], list[str]]:
    """The files a message may keep, and a note on each one it may not. For e-mail,
    where a refused file must not cost the customer their message."""
    limits = services.config.attachments
    kept: list[InlineFile] = []
    notes: list[str] = []
    total = 0
    if ticket is not None and files:
        total = sum(a.size for m in services.store.list_messages(ticket) for a in m.attachments)
    for inline in files:
        try:
            checked = _inline_file(services, inline)
        except ValueError as refusal:
            notes.append(f"{refusal}.")
            continue
        name = checked.name
        if len(kept) == limits.max_files_per_message:
            notes.append(f"'{name}' is one file too many "
                         f"(at most {limits.max_files_per_message} per message).")
        elif total + checked.size > limits.max_bytes_per_ticket:
            notes.append(f"'{name}' does not fit: a ticket holds at most "
                         f"{describe_size(limits.max_bytes_per_ticket)} of files.")
        else:
            kept.append(inline)
            total += checked.size
    return kept, notes


def _add(batch: FileBatch, where: str, check) -> None:
    try:
        batch.files.append(check())
    except ValueError as refusal:
        batch.errors.append(FieldError(where, str(refusal)))


def _uploaded_file(services: Services, upload_id: str, now: datetime,
                   claim_key: str | None) -> _File:
    upload = services.store.get_upload(upload_id) if valid_id(upload_id) else None
    if upload is None:
        raise ValueError("is not a known upload; upload the file again")
    if upload.attached:
        if claim_key is not None and upload.claim_key == claim_key:
            return _File(upload.id, upload.name, upload.content_type, upload.size,
                         upload=upload, replayed=True)
        # Never its name: the id may have come from someone else's message.
        raise ValueError("is attached to a message already; upload the file again")
    if upload.expires_at <= now:
        raise ValueError(f"'{upload.name}' has expired (uploads wait a day); upload it again")
    blobs = _blobs(services)
    size = blobs.size(upload.key)
    if size is None:
        raise ValueError(f"'{upload.name}' was not uploaded, or its upload did not finish")
    content_type = _checked(services, upload.name, size, blobs.head(upload.key, SNIFF_BYTES))
    return _File(upload.id, upload.name, content_type, size, upload=upload)


def _inline_file(services: Services, inline: InlineFile) -> _File:
    name = clean_name(inline.name)
    inline.stream.seek(0, io.SEEK_END)
    size = inline.stream.tell()
    inline.stream.seek(0)
    head = inline.stream.read(SNIFF_BYTES)
    inline.stream.seek(0)
    content_type = _checked(services, name, size, head, declared=inline.declared_type)
    return _File(new_id(), name, content_type, size, inline=InlineFile(name, inline.stream))


def _checked(services: Services, name: str, size: int, head: bytes,
             declared: str = "") -> str:
    """The file's type, read from its content; ValueError saying why it is refused.
    A forwarded e-mail (declared MAIL_TYPE, and text) is kept as one where text is
    accepted, so it is saved as .eml and opens in a mail client."""
    limits = services.config.attachments
    if size == 0:
        raise ValueError(f"'{name}' is empty")
    if size > limits.max_file_bytes:
        raise ValueError(f"'{name}' {_too_large(size, limits.max_file_bytes)}")
    content_type = sniff(head)
    if declared == MAIL_TYPE and content_type in ("text/plain", "text/csv") and (
            "text/plain" in limits.allowed_types):
        return MAIL_TYPE
    if content_type not in limits.allowed_types:
        raise ValueError(f"'{name}' holds {content_type}, which is not accepted "
                         f"(accepted: {accepted_kinds(limits.allowed_types)})")
    return content_type


def _check_ticket_total(services: Services, batch: FileBatch, ticket: int | None) -> None:
    limit = services.config.attachments.max_bytes_per_ticket
    earlier = 0
    if ticket is not None:
        earlier = sum(a.size for m in services.store.list_messages(ticket)
                      for a in m.attachments)
    total = earlier + sum(f.size for f in batch.files if not f.replayed)
    if total > limit:
        held = f" (the ticket holds {describe_size(earlier)} already)" if earlier else ""
        batch.errors.append(FieldError(FIELD, f"are too large together: "
                                              f"{describe_size(total)}{held}; a ticket "
                                              f"holds at most {describe_size(limit)}"))


def _too_large(size: int, limit: int) -> str:
    shown, most = describe_size(size), describe_size(limit)
    if shown == most:  # Rounded alike: say it in bytes.
        shown, most = f"{size} bytes", f"{limit} bytes"
    return f"is too large: {shown}; at most {most} a file"


def _store(services: Services, item: _File) -> Attachment:
    final = attachment_key(item.id)
    name = name_for_type(item.name, item.content_type)
    if item.replayed:
        return Attachment(item.id, name, item.content_type, item.size, final)
    blobs = _blobs(services)
    if item.upload is not None:
        blobs.copy(item.upload.key, final)
    else:
        item.inline.stream.seek(0)
        blobs.put(final, item.inline.stream, content_type=item.content_type)
    thumbnail = None
    if item.content_type in THUMBNAIL_TYPES:
        from loket.domain.thumbnails import make_thumbnail

        if item.inline is not None:
            item.inline.stream.seek(0)
        png = make_thumbnail(item.inline.stream.read() if item.inline is not None
                             else blobs.read(final))
        if png is not None:
            thumbnail = thumbnail_key(item.id)
            blobs.put(thumbnail, io.BytesIO(png), content_type="image/png")
    return Attachment(item.id, name, item.content_type, item.size, final, thumbnail)


# -- downloads ---------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Download:
    """How to answer a download: redirect to `url`, or stream `key` from the blob store."""

    key: str
    name: str
    content_type: str
    inline: bool
    url: str | None


def download(services: Services, messages: Sequence, attachment_id: str, *,
             thumbnail: bool = False) -> Download:
    """The attachment `attachment_id` among `messages` (those the caller may see).
    Served as a download with an inert type; a thumbnail is our own PNG, shown inline."""
    found = next((a for m in messages for a in m.attachments if a.id == attachment_id), None)
    if found is None or (thumbnail and not found.thumbnail_key):
        raise AttachmentNotFound(attachment_id)
    if thumbnail:
        key, name, content_type = found.thumbnail_key, f"{found.id}.png", "image/png"
    else:
        key, name, content_type = found.key, found.name, download_type(found.content_type)
    url = _blobs(services).download_url(key, name=name, content_type=content_type,
                                        inline=thumbnail, expires_in=DOWNLOAD_SECONDS)
    return Download(key, name, content_type, thumbnail, url)


# -- cleaning up -------------------------------------------------------------------------

def clean_up_uploads(services: Services, now: datetime | None = None, *,
                     batch: int = 100) -> int:
    """Remove uploads that were never attached and have expired: the waiting file, then
    its record. Returns how many. Attached files are never touched. On S3 the bucket's
    lifecycle rule removes the files as well; this keeps the store tidy there too."""
    now = now or services.clock.now()
    removed = 0
    while expired := services.store.expired_uploads(now, limit=batch):
        for upload in expired:
            if services.blobs is not None:
                services.blobs.delete(upload.key)
            services.store.delete_upload(upload.id)
            removed += 1
    return removed


def _blobs(services: Services) -> BlobStore:
    if services.blobs is None:
        raise ValidationFailed([FieldError(FIELD, "files cannot be attached here")])
    return services.blobs
