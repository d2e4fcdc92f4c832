"""Making frozen dataclasses on hot paths without their generated __init__.

A frozen dataclass's __init__ sets every field through object.__setattr__ (its own
__setattr__ refuses), which on CPython 3.11 costs some 1,500 instructions a field:
making a Ticket (29 fields) about 48,000, a dataclasses.replace of a NewTicket about
66,000, where filling the new object's __dict__ at once costs about 11,000 (valgrind).
A submission made four such objects.

`make` and `evolve` give the very objects the constructor and dataclasses.replace
give (the same fields in the same order, then __post_init__ as __init__ calls it;
tests/unit/test_frozen.py compares them), for the classes they are meant for: frozen
dataclasses with their generated __init__, a __dict__ (no slots) and no InitVar or
init=False fields (checked when a class is first seen).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Mapping, TypeVar

T = TypeVar("T")


class _Shape:
    """What `make` needs of a class, worked out once: its fields in order, their
    defaults, their default factories, and which fields must be given."""

    def __init__(self, cls: type) -> None:
        fields = dataclasses.fields(cls)
        # __init__ is the generated one (not the class's own), takes exactly the
        # fields (no InitVar, no init=False field), and objects have a __dict__ to
        # fill (no slots).
        takes = list(inspect.signature(cls.__init__).parameters)[1:]
        params = cls.__dataclass_params__
        has_dict = any("__dict__" in vars(base) for base in cls.__mro__)
        if (not params.frozen or not params.init or not has_dict
                or takes != [f.name for f in fields]):
            raise TypeError(f"{cls.__name__} is not a plain frozen dataclass")
        self.post_init = getattr(cls, "__post_init__", None)
        self.names = frozenset(f.name for f in fields)
        # Every field in order (a dict keeps the order of its first keys), defaults filled.
        self.start = dict.fromkeys(f.name for f in fields)
        self.start.update({f.name: f.default for f in fields
                           if f.default is not dataclasses.MISSING})
        self.factories = tuple((f.name, f.default_factory) for f in fields
                               if f.default_factory is not dataclasses.MISSING)
        self.required = frozenset(f.name for f in fields if f.default is dataclasses.MISSING
                                  and f.default_factory is dataclasses.MISSING)


_SHAPES: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _Shape(cls)
    return shape


def make(cls: type[T], values: Mapping[str, Any]) -> T:
    """cls(**values): the same object, made without cls.__init__."""
    shape = _shape(cls)
    state = dict(shape.start)
    state.update(values)
    # A name that is no field makes the state longer than the class's fields (cheaper
    # than looking every given name up in shape.names).
    if len(state) != len(shape.names) or not shape.required <= values.keys():
        raise TypeError(f"{cls.__name__} takes the fields {sorted(shape.names)}, "
                        f"{sorted(shape.required)} required; given {sorted(values)}")
    for name, factory in shape.factories:
        if name not in values:
            state[name] = factory()
    return _with_state(cls, state)


def evolve(obj: T, /, **changes: Any) -> T:
    """dataclasses.replace(obj, **changes): the same object, made without __init__."""
    shape = _shape(type(obj))
    if not changes.keys() <= shape.names:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(changes.keys() - shape.names)}")
    state = dict(obj.__dict__)
    state.update(changes)
    return _with_state(type(obj), state)


def _with_state(cls: type[T], state: dict[str, Any]) -> T:
    obj = object.__new__(cls)
    # The frozen class's own __setattr__ refuses; object's sets the whole __dict__ at once.
    object.__setattr__(obj, "__dict__", state)
    post_init = _SHAPES[cls].post_init
    if post_init is not None:
        post_init(obj)
    return obj
