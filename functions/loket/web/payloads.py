"""Reading a request body into a plain mapping, with clear errors for malformed input."""

from __future__ import annotations

import math
from typing import Any

from flask import Request, current_app
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.forms import LANGUAGES
from loket.domain.text import is_encodable
from loket.services.attachments import InlineFile

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# No field of any request nests deeper; a deeper body is refused before it is walked.
MAX_DEPTH = 32


def read_payload(request: Request) -> dict[str, Any]:
    """The submitted fields, from JSON or a form post."""
    if request.mimetype == "application/json":
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # Thousands of nested brackets fit in a small body.
            raise BadRequest("The body's JSON is nested too deeply.") from None
        if data is None:
            raise BadRequest("The body is not valid JSON.")
        if not isinstance(data, dict):
            raise BadRequest("The body must be a JSON object of fields.")
        return storable(data)
    if request.mimetype in FORM_TYPES:
        # Upload ids may repeat (one "attachments" entry each), as the portal's form sends them.
        return storable(form_fields(request, files="attachments"))
    raise UnsupportedMediaType(
        "Send the ticket as application/json or application/x-www-form-urlencoded.")


def storable(data: dict[str, Any]) -> dict[str, Any]:
    """The payload, if every value can be stored: JSON may carry text no UTF-8 can hold
    (a lone surrogate, "\\ud800") and numbers no store can (NaN, Infinity, 1e400)."""
    errors = [FieldError(field, problem) for field, problem in _unstorable(data, "")]
    if errors:
        raise ValidationFailed(errors)
    return data


def _unstorable(value: Any, path: str, depth: int = 0):
    """(field, problem) for every value below `value` that cannot be stored."""
    if depth > MAX_DEPTH:
        yield path, f"is nested too deeply (at most {MAX_DEPTH} levels)"
    elif isinstance(value, str):
        # ASCII (most text) holds no surrogate: only other text is searched.
        if not value.isascii() and not is_encodable(value):
            yield path, "holds a lone surrogate (\\ud800-\\udfff), which is not text"
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield path, "must be a finite number"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if not (isinstance(key, str) and key.isascii()) and not is_encodable(str(key)):
                yield _printable(name), "is a field name that is not text"
            else:
                yield from _unstorable(item, name, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable(item, f"{path}[{index}]", depth + 1)


def _printable(name: str) -> str:
    return name.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")


def form_fields(request: Request, *, files: str | None = None) -> dict[str, Any]:
    """The posted fields, each given once. `files` names the field that carries files:
    uploaded ahead (its values, upload ids, become a list) or inline (see inline_files)."""
    repeated = [k for k in request.form if len(request.form.getlist(k)) > 1 and k != files]
    if repeated:
        raise ValidationFailed([FieldError(k, "was given more than once") for k in repeated])
    data: dict[str, Any] = request.form.to_dict()
    if files is not None and files in request.form:
        # Counted as posted, blanks too: the document's maxItems counts every entry.
        limit = current_app.extensions["loket"].config.attachments.max_files_per_message
        if len(request.form.getlist(files)) > limit:
            raise ValidationFailed([FieldError(files, f"are too many: at most {limit} "
                                                      "per message")])
        data[files] = upload_ids(request, files)
    return data


def upload_ids(request: Request, name: str = "attachments") -> list[str]:
    """Ids of files uploaded ahead (portal.js puts them in the form), blanks left out."""
    return [value for value in request.form.getlist(name) if value.strip()]


def inline_files(request: Request, name: str = "attachments") -> list[InlineFile]:
    """Files posted with the form itself (no JavaScript); an empty file input sends one
    nameless empty part, which is no file."""
    if request.mimetype != "multipart/form-data":
        return []
    return [InlineFile(f.filename or "attachment", f.stream)
            for f in request.files.getlist(name) if f.filename]


def allow_files(request: Request) -> None:
    """Let a form with files be as large as its files may be; set before it is read."""
    limits = current_app.extensions["loket"].config.attachments
    if request.mimetype == "multipart/form-data":
        request.max_content_length = (current_app.config["MAX_CONTENT_LENGTH"]
                                      + limits.max_files_per_message * limits.max_file_bytes)


def query_language(request: Request, default: str) -> str:
    """`lang` from the query string for the API: one of the configured languages, or a
    clear error (pages fall back to a default instead: web/pages.language)."""
    lang = request.args.get("lang")
    if lang is None or lang == "":
        return default
    if lang not in LANGUAGES:
        raise ValidationFailed([FieldError("lang", f"must be one of: {', '.join(LANGUAGES)}")])
    return lang
