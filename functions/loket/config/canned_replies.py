"""Reads site_config/replies/*.md (domain/canned_replies.py says what they hold) into
{reply id: {language: CannedReply}}, with an error that names the file."""

from __future__ import annotations

from pathlib import Path

from loket.config.loader import ConfigError
from loket.domain.canned_replies import CannedReply, parse_reply
from loket.domain.forms import LANGUAGES

DEFAULT_LANGUAGE = "en"


def load_canned_replies(folder: Path) -> dict[str, dict[str, CannedReply]]:
    replies: dict[str, dict[str, CannedReply]] = {}
    if not folder.is_dir():
        return replies
    for path in sorted(folder.glob("*.md")):
        reply_id, _, lang = path.stem.partition(".")
        lang = lang or DEFAULT_LANGUAGE
        if lang not in LANGUAGES:
            raise ConfigError(f"{path}: language '{lang}' is not one of {', '.join(LANGUAGES)}")
        try:
            reply = parse_reply(reply_id, lang, path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        replies.setdefault(reply_id, {})[lang] = reply
    for reply_id, versions in replies.items():
        if DEFAULT_LANGUAGE not in versions:
            raise ConfigError(f"{folder / (reply_id + '.md')}: missing; every reply has an "
                              "English text, the fallback for languages it lacks")
    return replies
