"""domain/frozen.py: make and evolve give what the constructor and dataclasses.replace give."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.domain.events import EventKind, TicketEvent
from loket.domain.frozen import evolve, make
from loket.domain.limits import HitLimit
from loket.domain.outgoing import MailState, OutgoingMail
from loket.domain.tickets import AuthorRole, Message, NewTicket, Ticket
from tests.unit import pre_13_oracles as oracles

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


# -- Property: make and evolve against the constructor and dataclasses.replace ---------
#
# For every class a submission makes through them, any choice of given fields (each
# optional one given or left to its default or default factory, a required one left
# out now and then, a name that is no field now and then) and any values: the same
# object, or the same refusal (TypeError). A value made by a default factory differs
# per call by design (an access key, a mail id): there only its type is compared.

_CLASSES = (NewTicket, Ticket, Message, TicketEvent, OutgoingMail, HitLimit)
_MOMENTS = st.datetimes(datetime(1999, 1, 1), datetime(2100, 1, 1),
                        timezones=st.sampled_from([timezone.utc, None]))
_ANY = st.one_of(st.none(), st.text(max_size=5), st.integers(), _MOMENTS,
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 st.sampled_from([(), ("x",), MailState.PENDING, MailState.SENT,
                                  AuthorRole.AGENT, EventKind.CREATED]))


def _value_for(f: dataclasses.Field):
    # Moments where __post_init__ reads them; the mail's state as a MailState.
    if f.name in ("created_at", "next_attempt_at", "since", "sent_at", "at"):
        return st.one_of(st.none(), _MOMENTS) if f.name != "created_at" else _MOMENTS
    if f.name == "state":
        return st.sampled_from(list(MailState))
    return _ANY


@st.composite
def _given_values(draw, cls):
    values = {}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if draw(st.integers(0, 19)) < (19 if required else 10):
            values[f.name] = draw(_value_for(f))
    if draw(st.integers(0, 9)) == 0:
        values[draw(st.sampled_from(["colour", "number_", "Created_at"]))] = 1
    return values


def _factory_made(cls, values) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)
            if f.default_factory is not dataclasses.MISSING and f.name not in values}


def _alike(a, b, factory_made: set[str]) -> bool:
    """Of the same class, the same fields in the same order; a default factory's value
    only of the same type."""
    left, right = list(vars(a).items()), list(vars(b).items())
    return type(a) is type(b) and [k for k, _ in left] == [k for k, _ in right] and all(
        (type(x) is type(y)) if k in factory_made else (x == y or x is y or x != x)
        for (k, x), (_, y) in zip(left, right))


def _made(call):
    try:
        return call()
    except TypeError:
        return TypeError


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.sampled_from(_CLASSES).flatmap(lambda cls: st.tuples(st.just(cls), _given_values(cls))),
       st.data())
def test_make_and_evolve_give_what_the_constructor_and_replace_give(case, data):
    cls, values = case
    made, built = _made(lambda: make(cls, values)), _made(lambda: cls(**values))
    if built is TypeError:
        assert made is TypeError
        return
    assert made is not TypeError and _alike(made, built, _factory_made(cls, values))
    # evolve of what was made, with any changes (a name that is no field now and then).
    changes = data.draw(_given_values(cls).map(
        lambda v: {k: v[k] for k in list(v)[: len(v) // 2 + 1]}))
    evolved, replaced = _made(lambda: evolve(made, **changes)), _made(
        lambda: dataclasses.replace(made, **changes))
    assert (evolved is TypeError) is (replaced is TypeError)
    if evolved is not TypeError:
        assert _alike(evolved, replaced, set())


_new_tickets = st.builds(
    NewTicket, email=_ANY, product=_ANY, type=_ANY, subject=_ANY, description=_ANY,
    fields=st.dictionaries(st.text(max_size=3), _ANY, max_size=3), language=_ANY,
    status=_ANY, created_at=_MOMENTS, impact=_ANY, urgency=_ANY, priority=_ANY,
    sla_since=st.one_of(st.none(), _MOMENTS), due_at=st.one_of(st.none(), _MOMENTS),
    organization=_ANY, follow_up_of=_ANY, queue_category=_ANY, queue_order=_ANY)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(_new_tickets, st.integers(1, 2**63 - 1),
       st.sampled_from([{}, {"impact": "high"}, {"priority": "p1", "sla_since": NOW}]))
def test_from_new_is_the_ticket_the_former_from_new_made(new, number, starting):
    former = oracles.ticket_from_new(number, dataclasses.replace(new, **starting))
    made = Ticket.from_new(number, new, **starting)
    assert _alike(made, former, set())
    assert made.fields is not new.fields
