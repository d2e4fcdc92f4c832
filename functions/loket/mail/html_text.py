"""Plain text from an HTML e-mail part, for mail that has no text/plain alternative.

The stdlib parser never raises on broken markup and never runs or fetches anything:
scripts, styles and comments are dropped, entities are decoded, and what remains is
only text. Block elements become line breaks and <blockquote> becomes "> " lines, so
the quote stripping in quotes.py treats HTML replies like plain-text ones.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "head", "title", "template", "xml"}
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table",
           "ul", "ol", "dl", "dt", "dd", "pre", "hr", "section", "article", "header",
           "footer", "address", "center", "form", "fieldset"}
# Private-use characters mark where a quote starts and ends; they are removed from the
# mail's own text first, so a sender cannot forge them.
_QUOTE_IN, _QUOTE_OUT = "\ue000", "\ue001"
_MARKERS = re.compile(f"[{_QUOTE_IN}{_QUOTE_OUT}]")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0
        self.in_pre = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "blockquote":
            self.chunks.append(f"\n{_QUOTE_IN}\n")
        elif tag in _BLOCKS:
            self.chunks.append("\n")
        if tag == "pre":
            self.in_pre += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.chunks.append(f"\n{_QUOTE_OUT}\n")
        elif tag in _BLOCKS:
            self.chunks.append("\n")
        if tag == "pre":
            self.in_pre = max(0, self.in_pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        data = _MARKERS.sub("", data).replace("\xa0", " ")
        if not self.in_pre:
            # Whitespace in HTML source is layout, not content.
            data = re.sub(r"\s+", " ", data)
        self.chunks.append(data)


def html_to_text(html: str) -> str:
    """The readable text of `html`, with quoted blocks as "> " lines."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _fold("".join(collector.chunks))


def _fold(text: str) -> str:
    lines: list[str] = []
    depth = 0
    for line in text.split("\n"):
        if line.strip() == _QUOTE_IN:
            depth += 1
            continue
        if line.strip() == _QUOTE_OUT:
            depth = max(0, depth - 1)
            continue
        line = line.strip(" \t")
        if line == "--":
            line = "-- "  # The signature separator keeps its space (a &nbsp; in HTML).
        if not line and lines and not lines[-1].strip(">").strip():
            continue  # One blank line is enough between paragraphs.
        lines.append(("> " * depth + line).rstrip() if depth else line)
    return "\n".join(lines).strip("\n")
