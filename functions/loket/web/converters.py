"""URL converters at the edge: a ticket number in a path is ASCII digits in the range a
store can hold, or the route does not match (404, exactly like a missing ticket)."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, ValidationError

from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.tickets import MAX_TICKET_NUMBER


class TicketNumberConverter(IntegerConverter):
    """`<int:...>` for Loket: werkzeug's own takes any Unicode digit ("١٢") and any size,
    which the stores cannot look up; this one takes 1 to MAX_TICKET_NUMBER in ASCII."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_TICKET_NUMBER)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > 1 and value.startswith("0"):
            raise ValidationError()  # One spelling per ticket: no leading zeros.
        return super().to_python(value)


def ticket_cursor(value: str | None, field: str = "after") -> int | None:
    """A paging cursor (the number to continue after) from a query string: None when
    absent; a clear error naming the field when it is no ticket number."""
    if value is None or value == "":
        return None
    # Length first: int() refuses strings of thousands of digits with an error of its own.
    if (not (value.isascii() and value.isdigit()) or len(value) > 19
            or not 1 <= int(value) <= MAX_TICKET_NUMBER):
        raise ValidationFailed([FieldError(field, "must be a ticket number "
                                                  f"(1 to {MAX_TICKET_NUMBER})")])
    return int(value)


def ticket_back_link(value: str) -> int | None:
    """The number of the ticket a form came from (the way back), or None when `value`
    is not ASCII digits a store could hold ("²".isdigit() is true, but int("²") fails;
    int() refuses thousands of digits with an error of its own)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
