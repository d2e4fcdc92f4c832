"""What people type, made safe to store and show: one place for every entry path
(the API, HTML forms, mail-in subjects, account names).

- Single-line text (a subject, a name): Unicode NFC; no control characters at all
  (CR/LF would split a mail header or a log line, ESC and BEL drive terminals) and
  no bidi overrides or isolates (they make "exe.txt" read as "txt.exe").
- Multi-line text (a description, a reply): the same, but line breaks and tabs stay;
  CR LF and lone CR become LF.

Zero-width characters stay (emoji and several scripts need the joiners), but text
made only of them, or of other blanks, has nothing a reader can see:
`has_visible_character` tells, by a pattern the API document states too.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls, DEL and C1 controls; U+2028/2029 (line and paragraph separators);
# bidi embeddings and overrides (U+202A-202E) and isolates (U+2066-2069).
_SINGLE_LINE_UNWANTED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same but tab and line feed: a multi-line text keeps its layout.
_MULTI_LINE_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A character a reader can see: anything but spaces (as JSON Schema's \\s counts them),
# controls, zero-width and bidi formatting characters, the soft hyphen, and letters
# drawn as nothing (Hangul fillers, the blank Braille pattern). The served OpenAPI
# document uses the same pattern for required text, so clients and server agree.
_INVISIBLE = ("\\s\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5"
              "\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u2800\\u3164"
              "\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb")
VISIBLE_PATTERN = f"[^{_INVISIBLE}]"
_VISIBLE = re.compile(VISIBLE_PATTERN)
_SURROGATE = re.compile("[\ud800-\udfff]")


def single_line(text: str) -> str:
    """NFC, every control and bidi-control character removed, blanks trimmed."""
    if not text.isascii():  # ASCII text holds no surrogate and is NFC as it is.
        text = _nfc(_without_surrogates(text))
    return _printable(text, _SINGLE_LINE_UNWANTED).strip()


def multi_line(text: str) -> str:
    """NFC, line ends as LF, controls but tab and LF removed, blank lines and spaces
    trimmed at both ends."""
    text = _without_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # ASCII text holds no line separator and is NFC as it is.
        text = _nfc(text.replace("\u2028", "\n").replace("\u2029", "\n\n"))
    return _printable(text, _MULTI_LINE_UNWANTED).strip("\n ").rstrip()


def has_visible_character(text: str) -> bool:
    """True when at least one character would show (see VISIBLE_PATTERN)."""
    if text.isascii() and text.isprintable():
        # Of the printable ASCII characters (space to tilde) only the space is blank;
        # a regular expression's search costs some ten times these two checks.
        return text.strip(" ") != ""
    return _VISIBLE.search(text) is not None


def _printable(text: str, unwanted: re.Pattern) -> str:
    """`text` without the `unwanted` characters; every one of them is unprintable, so
    text that is printable throughout (most of it) needs no search."""
    return text if text.isprintable() else unwanted.sub("", text)


def _nfc(text: str) -> str:
    # ASCII text is NFC as it is; normalize would look at every character to find so.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _without_surrogates(text: str) -> str:
    # A lone surrogate (JSON "\ud800") cannot be stored or sent as UTF-8. Payloads are
    # refused before this (web/payloads.py); here it is only dropped, for other paths.
    return text.encode("utf-8", "ignore").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    # ASCII text holds none (str.isascii reads a flag; the search reads every character).
    return not text.isascii() and _SURROGATE.search(text) is not None


def is_encodable(text: str) -> bool:
    """True when the text can be written as UTF-8 (no lone surrogates)."""
    return not _has_surrogate(text)
