"""The forms that carry files without JavaScript (a new ticket, information added to a
ticket): room for their files before anything reads the body, and when a form is still
too large, what the customer typed, read back from it so the page can show it again."""

from __future__ import annotations

from flask import Request, current_app, request
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from loket.domain.attachments import describe_size
from loket.locale import gettext_in
from loket.web.payloads import allow_files

# The endpoints whose form has a file input (enctype="multipart/form-data").
FILE_FORMS = frozenset({"pages.submit", "pages.add_message"})
CHUNK = 64 * 1024


def make_room_for_files() -> None:
    """Raise the body limit from the app's (for text) to the files' limits before the
    body is read: reading any field (the page's language) parses the whole body, and a
    limit raised after that comes too late."""
    if request.method == "POST" and request.endpoint in FILE_FORMS:
        allow_files(request)


def typed_fields(req: Request) -> dict[str, str]:
    """The text fields of a multipart form refused for its size, without its files.

    werkzeug refuses such a body before reading it; the server has received it all, so
    it is read here once, keeping no more text than a form without files may hold."""
    boundary = req.mimetype_params.get("boundary", "")
    if req.mimetype != "multipart/form-data" or not boundary:
        return {}
    decoder = MultipartDecoder(boundary.encode("latin-1"), max_parts=1000)
    budget = current_app.config["MAX_CONTENT_LENGTH"]
    fields: dict[str, str] = {}
    name, parts = None, []
    stream, left = req.environ["wsgi.input"], req.content_length
    try:
        while True:
            chunk = stream.read(CHUNK if left is None else min(CHUNK, left))
            if left is not None:
                left -= len(chunk)
            decoder.receive_data(chunk or None)
            event = decoder.next_event()
            while not isinstance(event, (NeedData, Epilogue)):
                if isinstance(event, Field):
                    name, parts = event.name, []
                elif isinstance(event, File):
                    name = None
                elif isinstance(event, Data) and name is not None:
                    budget -= len(event.data)
                    if budget >= 0:
                        parts.append(event.data)
                    if not event.more_data:
                        fields.setdefault(name, b"".join(parts).decode("utf-8", "replace"))
                        name = None
                event = decoder.next_event()
            if isinstance(event, Epilogue) or not chunk:
                return fields
    except ValueError:  # A body cut short or malformed: what was read so far.
        return fields


def files_too_large(lang: str) -> str:
    limits = current_app.extensions["loket"].config.attachments
    size = describe_size(limits.max_file_bytes)
    return gettext_in(lang, "The files together were larger than we accept: at most "
                            "{count} files of {size} each. Choose them again.").format(
        count=limits.max_files_per_message, size=size)
