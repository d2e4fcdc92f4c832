"""Durations as a person writes them in an e-mail: "7 days", not "168 hours"."""

from __future__ import annotations

from datetime import timedelta

# (seconds in the unit, singular, plural) per language, largest unit first.
_UNITS = {
    "en": ((86400, "day", "days"), (3600, "hour", "hours"), (60, "minute", "minutes")),
    "nl": ((86400, "dag", "dagen"), (3600, "uur", "uur"), (60, "minuut", "minuten")),
}


def describe_duration(duration: timedelta, lang: str) -> str:
    """The duration in the largest unit that counts it whole ("7 days", "36 hours",
    "30 minuten"); a language without words of its own gets English."""
    units = _UNITS.get(lang, _UNITS["en"])
    seconds = int(duration.total_seconds())
    for size, one, many in units:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {one if count == 1 else many}"
    count = max(1, round(seconds / 60))
    return f"{count} {units[-1][1] if count == 1 else units[-1][2]}"
