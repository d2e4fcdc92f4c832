"""Form definitions (from site_config/) and validation of what a customer submits.

The static page renders its inputs from the same definition (with the same limits as
HTML attributes), and the server validates with it here, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Collection, Mapping

from loket.domain.email_address import normalized_address
from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.text import has_visible_character, multi_line, single_line
from loket.locale import LANGUAGES as _CATALOG_LANGUAGES

# The interface's languages: English and every language with a message catalog.
LANGUAGES = _CATALOG_LANGUAGES
CORE_FIELDS = {"email": "email", "product": "choice", "type": "choice",
               "subject": "text", "description": "textarea"}
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 10_000, "email": 254}
# The one name an "attachments" field may have: the API takes upload ids under it.
ATTACHMENTS = "attachments"
# Keys a submission may carry besides the form's fields.
RESERVED_KEYS = {"language"}


def __getattr__(name: str):
    # The pydantic models that validate a form file live with the configuration
    # (config/form_file.py), imported only when asked for: the request path works on
    # the Frozen* classes below, so a cold start never imports pydantic.
    if name in ("Labels", "Choice", "FieldSpec", "FormDefinition"):
        from loket.config import form_file

        return getattr(form_file, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LabelsMethods:
    """What the pages ask of a text in several languages (Labels and FrozenLabels)."""

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en


class FrozenLabels(LabelsMethods):
    """Labels as validated, without pydantic: `en`, `nl` and any other language given."""

    def __init__(self, **texts: str) -> None:
        self.__dict__.update(texts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrozenLabels) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"FrozenLabels({vars(self)!r})"


@dataclass(frozen=True)
class FrozenChoice:
    value: str
    label: Any


@dataclass(frozen=True)
class FrozenField:
    """A FieldSpec as validated (max_length filled in), without pydantic."""

    name: str
    type: str
    label: Any
    help: Any = None
    required: bool = False
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    choices: Any = None


class FormMethods:
    """What the server does with a form definition (FormDefinition and FrozenForm)."""

    @property
    def attachments(self) -> FieldSpec | None:
        """The form's attachments field; without one, new tickets take no files."""
        return _rules_of(self).attachments

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    def json_type_errors(self, data: Mapping[str, Any]) -> list[FieldError]:
        """A JSON body states its types: a whole number comes as a JSON number, not as
        text (a form post can only send text, and validate_submission takes both)."""
        return [FieldError(name, "must be a whole number (a JSON number, not text)")
                for name in _rules_of(self).integers if isinstance(data.get(name), str)]

    def choices(self, spec: FieldSpec, products: Mapping[str, Labels]) -> list[Choice]:
        if spec.choices == "products":
            return [FrozenChoice(value=pid, label=name) for pid, name in products.items()]
        return list(spec.choices or [])

    def validate_submission(self, data: Mapping[str, Any],
                            products: Mapping[str, Labels]) -> dict[str, Any]:
        """Return the clean values, or raise ValidationFailed naming every bad field."""
        rules = _rules_of(self)
        errors = [FieldError(k, "unknown field") for k in data if k not in rules.known]
        if data.get(self.honeypot) not in (None, ""):
            errors.append(FieldError(self.honeypot, "must be left empty"))
        clean: dict[str, Any] = {}
        for spec, allowed in rules.cleaned:
            try:
                value = _clean_value(spec, data.get(spec.name),
                                     products if allowed is _PRODUCTS else allowed)
            except ValueError as exc:
                errors.append(FieldError(spec.name, str(exc)))
                continue
            if value is not None:
                clean[spec.name] = value
        clean["language"] = _clean_language(data.get("language"), errors)
        if errors:
            raise ValidationFailed(errors)
        return clean


# Stands for the portal's products as a choice field's values: they are given per call
# (a signed-in viewer's rights narrow them).
_PRODUCTS = object()


class _Rules:
    """What judging a submission needs of a form, worked out once per form object (the
    configuration is fixed for the life of a process) instead of on every submission:
    the keys it knows, the fields it cleans with their choices' values, its integer
    fields and its attachments field."""

    def __init__(self, form: FormMethods) -> None:
        self.form = form  # Held, so the id it is found under names no other form.
        self.known = frozenset(f.name for f in form.fields) | RESERVED_KEYS | {form.honeypot}
        # Files are checked by the attachments service, not here.
        self.cleaned = tuple((spec, _allowed(spec)) for spec in form.fields
                             if spec.type != "attachments")
        self.integers = tuple(f.name for f in form.fields if f.type == "integer")
        self.attachments = next((f for f in form.fields if f.type == "attachments"), None)


def _allowed(spec: FieldSpec) -> Any:
    """A field's allowed values: its choices' (in order), _PRODUCTS, or () for any."""
    if spec.type != "choice":
        return ()
    if spec.choices == "products":
        return _PRODUCTS
    return tuple(c.value for c in spec.choices or [])


_RULES: dict[int, _Rules] = {}
_MAX_RULES = 64  # A process has one form; tests make many.


def _rules_of(form: FormMethods) -> _Rules:
    rules = _RULES.get(id(form))
    if rules is None or rules.form is not form:
        if len(_RULES) >= _MAX_RULES:
            _RULES.clear()
        rules = _RULES[id(form)] = _Rules(form)
    return rules


@dataclass(frozen=True)
class FrozenForm(FormMethods):
    """A FormDefinition as validated, without pydantic: what the configuration holds."""

    honeypot: str
    fields: list[FrozenField]


def _clean_language(value: Any, errors: list[FieldError]) -> str:
    if value in (None, ""):
        return "en"
    if value not in LANGUAGES:
        errors.append(FieldError("language", f"must be one of: {', '.join(LANGUAGES)}"))
    return str(value)


def _clean_value(spec: FieldSpec, raw: Any, allowed: Collection[str]) -> Any:
    """One field's clean value; None when optional and left empty. Raises ValueError.
    `allowed`: a choice field's values, in order."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if spec.required:
            raise ValueError("is required")
        return None
    if spec.type == "integer":
        return _clean_integer(spec, raw)
    if not isinstance(raw, str):
        raise ValueError("must be text")
    # The length as typed (a line break counts once, as in the browser): what the
    # document's maxLength promises, whatever the cleaning below takes away.
    typed = len(raw) - raw.count("\r\n")
    if spec.max_length is not None and typed > spec.max_length:
        raise ValueError(f"is too long ({typed} characters; at most {spec.max_length})")
    value = multi_line(raw) if spec.type == "textarea" else single_line(raw)
    if not has_visible_character(value):
        if spec.required:
            raise ValueError("has no visible character: write some text")
        return None
    if spec.type == "email":
        return _clean_email(value)
    if spec.type == "choice":
        if value not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed)}")
    if spec.type == "datetime":
        return _clean_datetime(value)
    return value


def _clean_integer(spec: FieldSpec, raw: Any) -> int:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # JSON has one number type: 7.0 is 7.
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ValueError("must be a whole number")
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("must be a whole number") from None
    if spec.min is not None and value < spec.min:
        raise ValueError(f"must be at least {spec.min}")
    if spec.max is not None and value > spec.max:
        raise ValueError(f"must be at most {spec.max}")
    return value


def _clean_email(value: str) -> str:
    # email-validator's answer; a plain address gets it without importing the package,
    # whose rule tables cost a cold start tens of milliseconds (domain/email_address.py).
    return normalized_address(value)


def _clean_datetime(value: str) -> str:
    try:
        return datetime.fromisoformat(value).isoformat(timespec="minutes")
    except ValueError:
        raise ValueError("must be a date and time like 2026-11-26T14:30") from None
