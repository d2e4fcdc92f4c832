"""Settings read from environment variables into a dataclass, without pydantic.

Why not pydantic(-settings): building a pydantic model for thirty settings, and
importing pydantic-settings, cost a Lambda cold start about a tenth of a minimal Flask
handler's whole start, for fields that are all text, numbers, paths or a choice of
words. So a subclass declares its settings as dataclass fields; `EnvSettings` reads
each from PREFIX + its name (in any case), lets keyword arguments win, converts by the
field's type and checks the bounds given with `bounded()`.

A wrong value still raises pydantic's ValidationError (imported only then), one line
per setting, naming the variable: what the CLI and the tests have always caught.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from pathlib import Path
from typing import Any, ClassVar, Literal, Union

_BOUNDS = {"gt": (lambda v, b: v > b, "greater than"),
           "ge": (lambda v, b: v >= b, "at least"),
           "le": (lambda v, b: v <= b, "at most")}


def bounded(default: Any, **bounds: float) -> Any:
    """A field with a default and bounds: gt=, ge=, le= (as pydantic's Field had)."""
    assert set(bounds) <= set(_BOUNDS), bounds
    return dataclasses.field(default=default, metadata=bounds)


class SettingError(ValueError):
    """One setting's value is wrong; `name` is the field ("" for the settings as a whole)."""

    def __init__(self, name: str, message: str, value: Any = None):
        super().__init__(message)
        self.name, self.value = name, value


class EnvSettings:
    """Base of a `@dataclass(init=False)` whose fields come from the environment.

    Subclasses set PREFIX and may define `check()` for rules across fields (raise
    SettingError or ValueError); it runs after every field is read.
    """

    PREFIX: ClassVar[str] = ""

    def __init__(self, **given: Any):
        errors: list[SettingError] = []
        try:
            raw = {**self._from_environment(), **given}
        except SettingError as exc:
            raise _validation_error(type(self), [exc]) from None
        for field in dataclasses.fields(self):
            try:
                value = self._convert(field, raw.pop(field.name)) if field.name in raw \
                    else field.default
            except SettingError as exc:
                errors.append(exc)
                continue
            setattr(self, field.name, value)
        errors += [SettingError(name, "is not a setting", raw[name]) for name in raw]
        if not errors:
            try:
                self.check()
            except ValueError as exc:
                errors.append(exc if isinstance(exc, SettingError) else SettingError("", str(exc)))
        if errors:
            raise _validation_error(type(self), errors) from None

    def check(self) -> None:
        """Rules across fields; none by default."""

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def variable(cls, name: str) -> str:
        return f"{cls.PREFIX}{name.upper()}"

    @classmethod
    def _from_environment(cls) -> dict[str, str]:
        """PREFIX* variables, matched in any case. One with no field is refused, so a
        typo (LOKET_STROE=dynamodb) never silently runs with the default."""
        known = {cls.variable(name): name for name in cls.names()}
        ours = {k: v for k, v in os.environ.items() if k.upper().startswith(cls.PREFIX)}
        unknown = sorted(k for k in ours if k.upper() not in known)
        if unknown:
            raise SettingError("", f"unknown setting(s) {', '.join(unknown)}; known: "
                                   f"{', '.join(sorted(known))}")
        return {known[k.upper()]: v for k, v in ours.items()}

    def _convert(self, field: dataclasses.Field, value: Any) -> Any:
        kind = _types(type(self))[field.name]
        try:
            value = _to(kind, value)
        except (TypeError, ValueError) as exc:
            raise SettingError(field.name, f"{self.variable(field.name)} {exc}", value) from None
        for bound, limit in field.metadata.items():
            holds, words = _BOUNDS[bound]
            if not holds(value, limit):
                raise SettingError(field.name, f"{self.variable(field.name)} must be "
                                               f"{words} {limit}", value)
        return value

    def model_copy(self, *, update: dict[str, Any]) -> "EnvSettings":
        """A copy with some settings changed (the name pydantic gave this)."""
        return dataclasses.replace(self, **update)


def _to(kind: Any, value: Any) -> Any:
    """`value` as the type `kind`: str, Path, int, float, a Literal, or X | None."""
    origin = typing.get_origin(kind)
    if origin is Union or type(kind).__name__ == "UnionType":
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        return _to(next(o for o in options if o is not type(None)), value)
    if origin is Literal:
        if value not in typing.get_args(kind):
            raise ValueError("must be one of " + ", ".join(map(repr, typing.get_args(kind))))
        return value
    if kind is str:
        if not isinstance(value, str):
            raise TypeError("must be text")
        return value
    if kind is Path:
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError("must be a path")
        return Path(value)
    if kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError(f"must be a {'whole ' if kind is int else ''}number")
        try:
            number = kind(value.strip() if isinstance(value, str) else value)
        except ValueError:
            raise ValueError(f"must be a {'whole ' if kind is int else ''}number") from None
        if kind is int and isinstance(value, float) and number != value:
            raise ValueError("must be a whole number")
        return number
    raise TypeError(f"has a type settings cannot read: {kind}")


_TYPES: dict[type, dict[str, Any]] = {}


def _types(cls: type) -> dict[str, Any]:
    if cls not in _TYPES:
        _TYPES[cls] = typing.get_type_hints(cls)
    return _TYPES[cls]


def _validation_error(cls: type, errors: list[SettingError]) -> Exception:
    """pydantic's ValidationError, as pydantic-settings raised: imported only now."""
    from pydantic_core import ValidationError

    return ValidationError.from_exception_data(cls.__name__, [
        {"type": "value_error", "loc": (e.name,) if e.name else (), "input": e.value,
         "ctx": {"error": str(e)}} for e in errors])
