"""Reading a request body into a plain mapping, with clear errors for malformed input."""

from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from loket.domain.errors import FieldError, ValidationFailed

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def read_payload(request: Request) -> dict[str, Any]:
    """The submitted fields, from JSON or a form post."""
    if request.mimetype == "application/json":
        data = request.get_json(silent=True)
        if data is None:
            raise BadRequest("The body is not valid JSON.")
        if not isinstance(data, dict):
            raise BadRequest("The body must be a JSON object of fields.")
        return data
    if request.mimetype in FORM_TYPES:
        return form_fields(request)
    raise UnsupportedMediaType(
        "Send the ticket as application/json or application/x-www-form-urlencoded.")


def form_fields(request: Request) -> dict[str, str]:
    repeated = [k for k in request.form if len(request.form.getlist(k)) > 1]
    if repeated:
        raise ValidationFailed([FieldError(k, "was given more than once") for k in repeated])
    return request.form.to_dict()
