"""What a file is, read from its first bytes, never from its name or what the browser said.

Binary formats are recognised by their signatures (the `filetype` library: pure
Python, no libmagic). What has no signature is text or unknown bytes: text is told
apart from binary the way git does it (a NUL byte means binary), markup is named as
such (so HTML or SVG renamed to .txt is still refused), and text whose first lines
split into the same number of columns is CSV.
"""

from __future__ import annotations

import codecs
import csv
import re

# How much of a file is read to decide; filetype itself looks at the first 8 KiB.
SNIFF_BYTES = 8192
OCTET_STREAM = "application/octet-stream"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def sniff(head: bytes) -> str:
    """The content type of a file that starts with `head` (its first SNIFF_BYTES)."""
    import filetype  # On first use: cold starts that see no file skip it.

    kind = filetype.guess(head[:SNIFF_BYTES]) if head else None
    if kind is not None:
        return kind.mime
    text = _as_text(head[:SNIFF_BYTES])
    if text is None:
        return OCTET_STREAM
    markup = _markup_type(text)
    if markup:
        return markup
    return "text/csv" if _looks_like_csv(text) else "text/plain"


def _as_text(head: bytes) -> str | None:
    """`head` as text when it is text in some encoding, else None."""
    if not head:
        return None
    if head.startswith(_UTF16_BOMS):
        text = head.decode("utf-16", errors="ignore")
    elif b"\x00" in head:
        return None
    else:
        # UTF-8 when it decodes (a character cut off at the end of the head is fine);
        # anything else is read as Windows-1252, which spreadsheets export.
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            text = head.decode("cp1252", errors="replace")
    return None if _CONTROL.search(text) else text


def _markup_type(text: str) -> str | None:
    start = text.lstrip("\ufeff \t\r\n")[:1024].lower()
    if not start.startswith("<"):
        return None
    if "<svg" in start:
        return "image/svg+xml"
    if start.startswith("<?xml") and "<html" not in start:
        return "application/xml"
    return "text/html"


def _looks_like_csv(text: str) -> bool:
    """At least two lines, each split into the same number (two or more) of columns."""
    lines = text.splitlines()
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # The last line may be cut off by the head.
    lines = [line for line in lines[:20] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) == 1 and widths.pop() >= 2
