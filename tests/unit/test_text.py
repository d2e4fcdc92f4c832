"""Text as people type it, made safe: the ASCII shortcut gives what the full steps give."""

from __future__ import annotations

import unicodedata

import pytest

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
