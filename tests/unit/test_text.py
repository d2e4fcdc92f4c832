"""Text as people type it, made safe: the ASCII shortcut gives what the full steps give."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.domain import text
from loket.domain.text import multi_line, single_line


def _full_single_line(value: str) -> str:
    # Every step, for every text: what single_line did before it skipped ASCII text.
    value = unicodedata.normalize("NFC", value.encode("utf-8", "ignore").decode("utf-8"))
    return text._SINGLE_LINE_UNWANTED.sub("", value).strip()


def _full_multi_line(value: str) -> str:
    value = value.encode("utf-8", "ignore").decode("utf-8")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n\n")
    value = unicodedata.normalize("NFC", value)
    return text._MULTI_LINE_UNWANTED.sub("", value).strip("\n ").rstrip()


SAMPLES = ["", "  plain  ", "tab\there\x07 bell\x1b[31m", "a\r\nb\rc\n\r\nd", "\r\ud800\n",
           "x\ud800\r\ud83d\ny", "line\u2028sep\u2029para", "Cafe\u0301 ca\u0300", "\u202eexe.txt",
           "\u00a0 nbsp \u3000", "emoji \U0001f600\u200d\U0001f4bb", " \r\n \t\n", "\x7f\x85\x9f",
           "\ufeffBOM", "a" * 300 + "\r\n"]


@pytest.mark.parametrize("value", SAMPLES)
def test_cleaning_gives_what_every_step_gives(value):
    assert single_line(value) == _full_single_line(value)
    assert multi_line(value) == _full_multi_line(value)


def test_every_unwanted_character_is_unprintable():
    # What lets printable text skip the search for unwanted characters.
    for pattern in (text._SINGLE_LINE_UNWANTED, text._MULTI_LINE_UNWANTED):
        assert not any(chr(c).isprintable() for c in range(0x110000)
                       if pattern.match(chr(c)))


@pytest.mark.parametrize("value", SAMPLES + ["", " ", "   ", " a ", "~", "\x7f", " \x7f ",
                                             "\t", "\u3164", "\u200b", " \u00ad x"])
def test_visible_characters_are_found_as_the_pattern_finds_them(value):
    assert text.has_visible_character(value) is (text._VISIBLE.search(value) is not None)


def test_each_ascii_character_is_visible_as_the_pattern_says():
    for c in map(chr, range(128)):
        for value in (c, f" {c} ", c * 3):
            assert text.has_visible_character(value) is (text._VISIBLE.search(value) is not None)


# -- Property: the shortcuts against the cleaning as it was before them ----------------
#
# The reference oracle below is text.py as it stood before the #13 shortcuts (4333025^):
# every step (surrogates, NFC, separators, the unwanted-character search) on every text.
# The shortcuts skip steps for ASCII and printable text; over many generated texts,
# mixing what each skip reasons about, they must give the very same answers.

def _oracle_has_surrogate(value: str) -> bool:
    return re.search("[\ud800-\udfff]", value) is not None


def _oracle_without_surrogates(value: str) -> str:
    return (value.encode("utf-8", "ignore").decode("utf-8")
            if _oracle_has_surrogate(value) else value)


def _oracle_single_line(value: str) -> str:
    value = unicodedata.normalize("NFC", _oracle_without_surrogates(value))
    return re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", "",
                  value).strip()


def _oracle_multi_line(value: str) -> str:
    value = _oracle_without_surrogates(value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n\n")
    value = unicodedata.normalize("NFC", value)
    return re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "",
                  value).strip("\n ").rstrip()


def _oracle_has_visible_character(value: str) -> bool:
    return re.search(text.VISIBLE_PATTERN, value) is not None


# Pieces that each shortcut reasons about: printable ASCII, every ASCII control, C1
# controls, whitespace of every Unicode kind, line and paragraph separators, bidi
# controls, zero-width and invisible letters, combining marks (NFD and NFC forms of the
# same letters, and marks that compose only in some orders), lone and paired surrogates
# (as separate code points), astral characters, and noncharacters.
_PIECES = (
    [chr(c) for c in range(0x80)]
    + [chr(c) for c in range(0x80, 0xa1)]
    + [c for c in map(chr, range(0x3001)) if c.isspace()] + ["\u180e", "\u200b", "\ufeff"]
    + ["\u2028", "\u2029", "\u061c", "\u200e", "\u200f"]
    + [chr(c) for c in range(0x202a, 0x202f)] + [chr(c) for c in range(0x2066, 0x206a)]
    + ["\u00ad", "\u034f", "\u115f", "\u1160", "\u2800", "\u3164", "\uffa0", "\ufe0f"]
    + ["e\u0301", "\u00e9", "A\u030a", "\u00c5", "\u212b", "\u0301", "\u0323\u0307",
       "\u0307\u0323", "\u1e0b\u0323", "\u1100\u1161", "\uac00", "\u0915\u093c", "\u0958"]
    + ["\ud800", "\udfff", "\udc00", "\ud83d", "\ud83d\ude00", "\U0001f600",
       "\U0001f468\u200d\U0001f4bb", "\U0010ffff", "\ufffe", "\uffff", "\r\n", "\n\r"]
)

texts = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
    # Any code point at all, surrogates included.
    st.text(alphabet=st.characters(codec=None, categories=None), max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=40),
    # Long text: a printable or ASCII run with something else at either end.
    st.tuples(st.sampled_from(_PIECES), st.sampled_from(["a", " ", "\u00e9", "\n"]),
              st.integers(0, 12_000), st.sampled_from(_PIECES)).map(
        lambda p: p[0] + p[1] * p[2] + p[3]),
)


@settings(derandomize=True, max_examples=1500, deadline=None)
@given(texts)
def test_cleaning_gives_what_the_former_cleaning_gave_for_any_text(value):
    assert single_line(value) == _oracle_single_line(value)
    assert multi_line(value) == _oracle_multi_line(value)
    assert text.has_visible_character(value) is _oracle_has_visible_character(value)
    assert text.is_encodable(value) is not _oracle_has_surrogate(value)
    # And of what the cleaning gives (the form checks visibility of the cleaned text).
    for cleaned in (single_line(value), multi_line(value)):
        assert text.has_visible_character(cleaned) is _oracle_has_visible_character(cleaned)
