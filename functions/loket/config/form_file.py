"""A form file (site_config/forms/*.yml) validated with pydantic, when the configuration
is read from its files; compiled, it becomes the Frozen* classes of domain/forms.py."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from loket.domain.forms import (ATTACHMENTS, CORE_FIELDS, DEFAULT_MAX_LENGTH, LANGUAGES,
                                RESERVED_KEYS, FormMethods, LabelsMethods)


class Labels(LabelsMethods, BaseModel):
    """A text in English and Dutch, and in any other interface language given (`de:`);
    a language without its own text shows the English."""
    # defer_build: the validator is built on first use, so a cold start that loads the
    # precompiled configuration (loket.config.compiled) never builds it.
    model_config = ConfigDict(extra="allow", defer_build=True)
    en: str
    nl: str

    @model_validator(mode="after")
    def _interface_languages_only(self) -> "Labels":
        for lang, text in (self.model_extra or {}).items():
            if lang not in LANGUAGES:
                raise ValueError(f"{lang} is not a language of the interface "
                                 f"({', '.join(LANGUAGES)})")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{lang} must be text")
        return self


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    value: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: Labels


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    # "attachments": the files that come with the ticket; limits are in portal.yml.
    type: Literal["text", "textarea", "email", "choice", "integer", "datetime",
                  "attachments"]
    label: Labels
    help: Labels | None = None
    required: bool = False
    max_length: int | None = Field(default=None, gt=0)
    min: int | None = None
    max: int | None = None
    # A list of choices, or "products" for the portal's product list.
    choices: list[Choice] | Literal["products"] | None = None

    @model_validator(mode="after")
    def _fits_type(self) -> "FieldSpec":
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice field needs choices (a list, or 'products')")
        if self.type != "choice" and self.choices:
            raise ValueError(f"choices only fit a choice field, not {self.type}")
        if self.type == "attachments" and self.name != ATTACHMENTS:
            raise ValueError(f"the attachments field must be named '{ATTACHMENTS}'")
        if self.max_length is None and self.type in DEFAULT_MAX_LENGTH:
            self.max_length = DEFAULT_MAX_LENGTH[self.type]
        return self


class FormDefinition(FormMethods, BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    honeypot: str = Field(default="homepage", pattern=r"^[a-z][a-z0-9_]*$")
    fields: list[FieldSpec] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _names_unique_and_core_present(cls, fields: list[FieldSpec]) -> list[FieldSpec]:
        names = [f.name for f in fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"field names must be unique: {', '.join(duplicates)}")
        by_name = {f.name: f for f in fields}
        for name, kind in CORE_FIELDS.items():
            if name not in by_name:
                raise ValueError(f"the form needs a '{name}' field")
            if by_name[name].type != kind or not by_name[name].required:
                raise ValueError(f"the '{name}' field must be a required {kind} field")
        return fields

    @model_validator(mode="after")
    def _honeypot_free(self) -> "FormDefinition":
        if self.honeypot in {f.name for f in self.fields} | RESERVED_KEYS:
            raise ValueError(f"honeypot '{self.honeypot}' clashes with a field name")
        return self
