"""Canned replies: answers agents use often, kept in git as site_config/replies/*.md.

Each file is one reply in one language: `<id>.md` in English, `<id>.<lang>.md` in
another language (as the site's pages: page.md, page.nl.md). YAML front matter gives
its `title`; the text may hold placeholders that are filled in for the ticket at hand:
`{customer_name}`, `{ticket_number}` and `{agent_name}`. Any other `{word}` is a
mistake and refused when the configuration loads, so no reply reaches a customer with
a placeholder left in it. Pure: no I/O (config/canned_replies.py reads the files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

PLACEHOLDERS = ("customer_name", "ticket_number", "agent_name")
REPLY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
MAX_TITLE = 120
MAX_BODY = 10_000


@dataclass(frozen=True)
class CannedReply:
    id: str
    lang: str
    title: str
    body: str

    def filled(self, values: Mapping[str, object]) -> str:
        """The text with its placeholders replaced by `values` (every name in
        PLACEHOLDERS must be given)."""
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.body)


def parse_reply(reply_id: str, lang: str, text: str) -> CannedReply:
    """A reply from its file's text; ValueError saying what is wrong."""
    if not REPLY_ID.match(reply_id):
        raise ValueError("the file name must be lower-case letters, digits and hyphens")
    import yaml  # Only when the files are read: a precompiled configuration needs none.

    found = _FRONT_MATTER.match(text)
    if not found:
        raise ValueError("starts with front matter between --- lines, with a title")
    try:
        meta = yaml.safe_load(found.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"its front matter is not YAML: {exc}") from None
    title = meta.get("title") if isinstance(meta, dict) else None
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        raise ValueError(f"needs a title in its front matter (at most {MAX_TITLE} characters)")
    unknown = sorted(set(meta) - {"title"})
    if unknown:
        raise ValueError(f"unknown front matter: {', '.join(unknown)} (only title)")
    body = text[found.end():].strip()
    if not body or len(body) > MAX_BODY:
        raise ValueError(f"needs a text after the front matter (at most {MAX_BODY} characters)")
    wrong = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if wrong:
        raise ValueError(f"unknown placeholder {', '.join('{' + w + '}' for w in wrong)}; "
                         f"use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
    return CannedReply(id=reply_id, lang=lang, title=title.strip(), body=body)
