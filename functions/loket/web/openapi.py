"""The OpenAPI document the server serves, made from the live configuration.

web/openapi.yaml is the template: routes, answers and the schemas that never change.
What the operator configures is filled in here, so a client built from the served
document submits a valid ticket without reading site_config/: the ticket form's
fields (with their limits and choices as enums), the products, the languages, the
statuses and the attachment types.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from loket.config.model import PortalConfig
from loket.domain.forms import LANGUAGES, FieldSpec
from loket.domain.text import VISIBLE_PATTERN


# A format of our own: JSON Schema's date-time insists on a time zone.
LOCAL_DATETIME = "local-date-time"


@lru_cache(maxsize=1)
def template() -> dict[str, Any]:
    return yaml.safe_load(files("loket.web").joinpath("openapi.yaml").read_text(encoding="utf-8"))


def document(config: PortalConfig) -> dict[str, Any]:
    """The template with the configuration's enums and the ticket form filled in."""
    doc = copy.deepcopy(template())
    schemas = doc["components"]["schemas"]
    products = list(config.products)
    schemas["TicketSubmission"] = submission_schema(config)
    schemas["TicketForm"] = form_post_schema(schemas["TicketSubmission"])
    create = doc["paths"]["/api/tickets"]["post"]["requestBody"]["content"]
    create["application/x-www-form-urlencoded"]["schema"] = {"$ref": "#/components/schemas/TicketForm"}
    upload = schemas["UploadRequest"]["properties"]
    upload["name"]["pattern"] = VISIBLE_PATTERN
    upload["size"]["maximum"] = config.attachments.max_file_bytes
    schemas["Status"]["properties"]["id"]["enum"] = list(config.statuses)
    invitation = doc["paths"]["/api/invitations"]["post"]["requestBody"]["content"]
    invitation["application/json"]["schema"]["properties"]["products"]["items"]["enum"] = products
    for path, parameter in _parameters(doc):
        if parameter["name"] == "lang":
            # Empty means "not given" (the account's or the ticket's own language), but
            # suggestions need one.
            empty = [] if path == "/api/suggest" else [""]
            parameter["schema"]["enum"] = [*LANGUAGES, *empty]
        elif parameter["name"] == "product" and parameter["in"] == "query":
            parameter["schema"]["enum"] = products
    _store_unavailable(doc)
    return doc


# The operations that never touch the store; every other one may meet it busy or out
# of reach and answer 503 (web/store_outage.py).
WITHOUT_STORE = {("/api/health", "get")}


def _store_unavailable(doc: dict[str, Any]) -> None:
    """A 503 on every operation that uses the store: listed once here, not on each."""
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation \
                    and (path, method) not in WITHOUT_STORE:
                # An operation's own 503 (suggest: no search index) stays.
                operation["responses"].setdefault(
                    "503", {"$ref": "#/components/responses/StoreUnavailable"})


def document_yaml(config: PortalConfig) -> str:
    return yaml.safe_dump(document(config), sort_keys=False, allow_unicode=True)


def submission_schema(config: PortalConfig) -> dict[str, Any]:
    """What POST /api/tickets takes: exactly the ticket form's fields."""
    form = config.form
    properties = {spec.name: field_schema(form, spec, config) for spec in form.fields}
    properties["language"] = {"type": ["string", "null"], "enum": [*LANGUAGES, "", None],
                              "description": "The ticket's language; empty means en."}
    properties[form.honeypot] = {"type": ["string", "null"], "maxLength": 0,
                                 "description": "A trap for robots: leave it out or empty."}
    return {"type": "object", "description": "The fields of site_config/forms/ticket.yml.",
            "required": [spec.name for spec in form.fields if spec.required],
            "properties": properties, "additionalProperties": False}


def form_post_schema(submission: dict[str, Any]) -> dict[str, Any]:
    """A form post sends text only: no nulls (an empty value means "not given")."""
    schema = copy.deepcopy(submission)
    for prop in schema["properties"].values():
        if isinstance(prop.get("type"), list):
            prop["type"] = [t for t in prop["type"] if t != "null"][0]
        if "enum" in prop:
            prop["enum"] = [v for v in prop["enum"] if v is not None]
    return schema


def field_schema(form, spec: FieldSpec, config: PortalConfig) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": spec.label.en}
    if spec.type == "attachments":
        limits = config.attachments
        return {**schema, "type": "array", "maxItems": limits.max_files_per_message,
                "items": {"type": "string"},
                "description": "Ids of uploads (POST /api/uploads) to attach to the first message."}
    if spec.type == "integer":
        schema.update(type="integer")
        schema.update({k: v for k, v in (("minimum", spec.min), ("maximum", spec.max))
                       if v is not None})
    elif spec.type == "choice":
        schema.update(type="string", enum=[c.value for c in form.choices(spec, config.products)])
    else:
        schema.update(type="string")
        if spec.max_length is not None:
            schema["maxLength"] = spec.max_length
        if spec.type == "email":
            schema["format"] = "email"
        elif spec.type == "datetime":
            # ISO 8601 local time, e.g. 2026-11-26T14:30 (what a datetime-local input sends).
            schema["format"] = LOCAL_DATETIME
        elif spec.required:
            schema["pattern"] = VISIBLE_PATTERN
    if not spec.required:
        # An optional field may be left out, null or empty: all mean "not given".
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], "", None]
    return schema


def _parameters(doc: dict[str, Any]):
    """(path, parameter) for every parameter of every operation."""
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                yield path, parameter
