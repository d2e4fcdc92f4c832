"""domain/frozen.py: make and evolve give what the constructor and dataclasses.replace give."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import datetime, timedelta, timezone

import pytest

from loket.domain.frozen import evolve, make
from loket.domain.outgoing import OutgoingMail
from loket.domain.tickets import NewTicket, Ticket

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=timezone.utc)


def new_ticket(**changes) -> NewTicket:
    values = dict(email="ann@example.com", product="planner", type="question",
                  subject="Hello", description="Text", fields={"users_affected": 3},
                  language="en", status="new", created_at=NOW)
    return NewTicket(**{**values, **changes})


def same(a, b) -> bool:
    """Equal, of the same class, with the same attributes in the same order."""
    return type(a) is type(b) and a == b and list(vars(a).items()) == list(vars(b).items())


def test_make_gives_what_the_constructor_gives():
    values = dict(number=7, access_key="k", email="ann@example.com", product="planner",
                  type="question", subject="Hello", fields={}, language="en",
                  status="new", created_at=NOW, updated_at=NOW, priority="high")
    assert same(make(Ticket, values), Ticket(**values))


def test_make_runs_default_factories_for_fields_not_given():
    made = make(NewTicket, vars(new_ticket()) | {"access_key": "given"})
    assert made.access_key == "given"
    values = {k: v for k, v in vars(new_ticket()).items() if k != "access_key"}
    first, second = make(NewTicket, values), make(NewTicket, values)
    assert len(first.access_key) == 32 and first.access_key != second.access_key
    assert same(evolve(first, access_key="x"), NewTicket(**values | {"access_key": "x"}))


def test_evolve_gives_what_replace_gives():
    new = new_ticket()
    changes = dict(impact="high", urgency="low", priority="high", sla_since=NOW,
                   due_at=NOW + timedelta(hours=4), queue_category="new", queue_order="x")
    assert same(evolve(new, **changes), dataclasses.replace(new, **changes))
    assert same(evolve(new), dataclasses.replace(new))


def test_from_new_is_the_ticket_the_constructor_makes():
    new = new_ticket(priority="high", due_at=NOW)
    made = Ticket.from_new(5, new, impact="low")
    assert same(made, Ticket(number=5, access_key=new.access_key, email=new.email,
                             product=new.product, type=new.type, subject=new.subject,
                             fields=new.fields, language=new.language, status=new.status,
                             created_at=NOW, updated_at=NOW, due_at=NOW, status_since=NOW,
                             impact="low", priority="high"))
    assert made.fields is not new.fields


def test_objects_stay_frozen_and_pickle_alike():
    made = evolve(new_ticket(), priority="high")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.priority = "low"  # type: ignore[misc]
    assert same(pickle.loads(pickle.dumps(made)), made)


def test_wrong_fields_are_refused_as_the_constructor_refuses_them():
    with pytest.raises(TypeError):
        evolve(new_ticket(), colour="red")
    with pytest.raises(TypeError):
        make(Ticket, {"number": 1})
    with pytest.raises(TypeError):
        make(Ticket, {**vars(Ticket.from_new(1, new_ticket())), "colour": "red"})
    # One default left out, one name that is no field: as many names as fields.
    given = {k: v for k, v in vars(Ticket.from_new(1, new_ticket())).items() if k != "version"}
    with pytest.raises(TypeError):
        make(Ticket, {**given, "colour": "red"})


def test_post_init_runs_as_the_constructor_runs_it():
    values = dict(kind="receipt", lang="en", to="a@example.com", data={}, created_at=NOW,
                  message_id="<m@example.com>", id="m1")
    made = make(OutgoingMail, values)
    assert same(made, OutgoingMail(**values)) and made.next_attempt_at == NOW
    assert same(evolve(made, since=None), dataclasses.replace(made, since=None))


def test_classes_it_cannot_make_alike_are_refused():
    @dataclasses.dataclass(frozen=True)
    class Counted:
        a: int
        b: int = dataclasses.field(default=0, init=False)

    @dataclasses.dataclass
    class Open:
        a: int

    for cls in (Counted, Open):
        with pytest.raises(TypeError, match="plain frozen dataclass"):
            make(cls, {"a": 1})


def test_slotted_and_hand_initialized_classes_are_refused():
    """A slotted class has no __dict__ to fill, and a class with its own __init__
    (dataclass(init=False)) may do there what `make` would skip."""
    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    @dataclasses.dataclass(frozen=True, init=False)
    class Checked:
        a: int

        def __init__(self, a: int) -> None:
            if a < 0:
                raise ValueError("a must not be negative")
            object.__setattr__(self, "a", a)

    for cls in (Slotted, Checked):
        with pytest.raises(TypeError, match="plain frozen dataclass"):
            make(cls, {"a": 1})
