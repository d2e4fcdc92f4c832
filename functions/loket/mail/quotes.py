"""Removing quoted history from a reply, so a ticket holds what the customer wrote.

A reply repeats the conversation below (or above) the new text. The ticket already
has that history, so we drop: "> " lines, the "On ... wrote:" line that introduces
them (English, Dutch, German, French, or any short line ending in ":" that names an
address or a date), Outlook's unquoted history ("-----Original Message-----", or a
"From: ... Sent: ..." header block), and the signature after "-- ".

When nothing is left (a customer who answered only inside the quote), the whole text
is kept: better a repeated quote than a lost answer.
"""

from __future__ import annotations

import re

_SIGNATURE = "-- "
_QUOTED = re.compile(r"^\s*>")
# "On Mon, 2 Apr 2012 at 18:26, Ann <ann@example.com> wrote:", and its siblings.
_ATTRIBUTION = re.compile(
    r"^\s*(?:-+\s*)?(?:"                                # Yahoo: "--- On ... wrote:"
    r"on\b.{0,300}\bwrote\s*:"                          # English
    r"|op\b.{0,300}\bschreef\b.{0,300}:"                # Dutch (Gmail, Outlook)
    r"|op\b.{0,300}\bhet volgende geschreven\s*:"       # Dutch (Apple Mail)
    r"|am\b.{0,300}\bschrieb\b.{0,300}:"                # German
    r"|le\b.{0,300}\ba écrit\s*:"                       # French
    r")\s*$", re.IGNORECASE)
# Outlook's separator before the unquoted history of a reply or forward.
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:original message|oorspronkelijk bericht|oorspronkelijk "
    r"e-mailbericht|ursprüngliche nachricht|message d'origine)\s*-{2,}\s*$",
    re.IGNORECASE)
# Outlook's header block: "From: ..." followed within a few lines by "Sent: ...".
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|van|von|de)\s*:", re.IGNORECASE)
_HEADER_SENT = re.compile(r"^\s*\*?(?:sent|date|verzonden|datum|gesendet|envoyé)\s*:",
                          re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*(?:_{10,}|-{10,})\s*$")
# What makes a line ending in ":" an attribution rather than the customer's own words.
_ADDRESS_OR_DATE = re.compile(r"@|\d{1,2}:\d{2}|\d{4}|<\s*$")


def strip_quotes(text: str) -> str:
    """The new part of a reply: `text` without quoted history and signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [line.rstrip() for line in _drop_quotes(_cut_history(lines))]
    # Where a quote was, two or more blank lines are left: one is enough.
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return result or text.strip()


def _cut_history(lines: list[str]) -> list[str]:
    """Everything before the signature or the unquoted history, whichever comes first."""
    for i, line in enumerate(lines):
        if line == _SIGNATURE or _ORIGINAL_MESSAGE.match(line) or _outlook_header(lines, i):
            end = i
            if end and _SEPARATOR.match(lines[end - 1]):
                end -= 1
            return lines[:end]
        span = _attribution_span(lines, i)
        if span and not _quote_follows(lines, i + span):
            # An attribution with no "> " lines after it introduces unquoted history.
            return lines[:i]
    return lines


def _drop_quotes(lines: list[str]) -> list[str]:
    """Remove "> " lines and the attribution lines that introduce each quote."""
    drop: set[int] = set()
    for i, line in enumerate(lines):
        if not _QUOTED.match(line):
            continue
        drop.add(i)
        if i and _QUOTED.match(lines[i - 1]):
            continue
        drop.update(_attribution_before(lines, i))
    return [line for i, line in enumerate(lines) if i not in drop]


def _attribution_before(lines: list[str], quote: int) -> list[int]:
    """The indexes of the one or two lines introducing the quote starting at `quote`."""
    i = quote - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    if i < 0:
        return []
    if i >= 1 and _attribution_span(lines, i - 1) == 2:
        return [i - 1, i]  # Wrapped over two lines: "On ... <ann@example.com>" / "wrote:"
    if _attribution_span(lines, i) == 1:
        return [i]
    line = lines[i].strip()
    if not (line.endswith(":") and _ADDRESS_OR_DATE.search(line) and len(line) < 200):
        return []
    # A client we do not know by name ("02.04.2012 14:20 ... <" / "ann@... написал:").
    previous = lines[i - 1].strip() if i >= 1 else ""
    if previous and _ADDRESS_OR_DATE.search(previous) and len(previous) < 200:
        return [i - 1, i]
    return [i]


def _attribution_span(lines: list[str], i: int) -> int:
    """How many lines the attribution starting at line i takes: 0 (none), 1 or 2
    (clients wrap a long one: "On ... <ann@example.com>" / "wrote:")."""
    if not lines[i].strip():
        return 0
    if _ATTRIBUTION.match(lines[i]):
        return 1
    if i + 1 < len(lines) and _ATTRIBUTION.match(f"{lines[i]} {lines[i + 1]}"):
        return 2
    return 0


def _quote_follows(lines: list[str], start: int) -> bool:
    """True when the first non-blank line from `start` on is a "> " line."""
    for line in lines[start:]:
        if line.strip():
            return bool(_QUOTED.match(line))
    return False


def _outlook_header(lines: list[str], i: int) -> bool:
    if not _HEADER_FROM.match(lines[i]):
        return False
    following = [line for line in lines[i + 1:i + 6] if line.strip()][:4]
    return any(_HEADER_SENT.match(line) for line in following)
