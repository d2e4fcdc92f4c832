"""Durations as a person writes them in an e-mail: "7 days", not "168 hours"."""

from __future__ import annotations

from datetime import timedelta

from loket.locale import ngettext_in

_DAY, _HOUR, _MINUTE = 86400, 3600, 60


def describe_duration(duration: timedelta, lang: str) -> str:
    """The duration in the largest unit that counts it whole ("7 days", "36 hours",
    "30 minuten"), in the language's catalog (English without one)."""
    seconds = int(duration.total_seconds())
    for size in (_DAY, _HOUR, _MINUTE):
        if seconds >= size and seconds % size == 0:
            return _units(lang, size, seconds // size)
    return _units(lang, _MINUTE, max(1, round(seconds / 60)))


def _units(lang: str, size: int, count: int) -> str:
    # The literal messages, so that `make translations` finds them.
    if size == _DAY:
        text = ngettext_in(lang, "{count} day", "{count} days", count)
    elif size == _HOUR:
        text = ngettext_in(lang, "{count} hour", "{count} hours", count)
    else:
        text = ngettext_in(lang, "{count} minute", "{count} minutes", count)
    return text.format(count=count)
