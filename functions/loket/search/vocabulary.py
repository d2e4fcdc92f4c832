"""Words customers use that the articles do not: synonyms per language and a nl<->en glossary.

Both are kept in git under site_config/search/ (synonyms.<lang>.yml, glossary.yml),
checked when the index is built and written beside it (vocabulary.json), so the
suggestion function needs no site configuration: the index carries its own words.
At query time a query word (as a stem) that starts an entry adds the entry's other
words, with a lower weight than the customer's own words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from loket.search.languages import LANGUAGES

FILE = "vocabulary.json"           # beside the index
DEFAULT_DIR = Path("site_config/search")


class VocabularyError(ValueError):
    """A synonyms or glossary file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class Vocabulary:
    # synonyms[lang] = groups of words (or phrases) that mean the same to a customer
    synonyms: dict[str, list[list[str]]] = field(default_factory=dict)
    # glossary = entries {lang: word or phrase} naming one thing in each language
    glossary: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"synonyms": self.synonyms, "glossary": self.glossary},
                          ensure_ascii=False, sort_keys=True, indent=1) + "\n"


EMPTY = Vocabulary()


def load_dir(directory: Path) -> Vocabulary:
    """The vocabulary in `directory`, checked; an absent directory or file is empty."""
    import yaml

    directory = Path(directory)
    synonyms = {}
    for lang in LANGUAGES:
        path = directory / f"synonyms.{lang}.yml"
        if path.is_file():
            synonyms[lang] = _groups(path, yaml.safe_load(path.read_text(encoding="utf-8")))
    path = directory / "glossary.yml"
    glossary = (_glossary(path, yaml.safe_load(path.read_text(encoding="utf-8")))
                if path.is_file() else [])
    return Vocabulary(synonyms, glossary)


def read_index(index_dir: Path) -> Vocabulary:
    try:
        data = json.loads((Path(index_dir) / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return EMPTY
    return Vocabulary(data.get("synonyms", {}), data.get("glossary", []))


def _groups(path: Path, data) -> list[list[str]]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise VocabularyError(f"{path.name}: expected a list of synonym groups")
    for number, group in enumerate(data, 1):
        if (not isinstance(group, list) or len(group) < 2
                or not all(isinstance(w, str) and w.strip() for w in group)):
            raise VocabularyError(
                f"{path.name}: group {number} must list two or more words, got {group!r}")
    return [[w.strip() for w in group] for group in data]


def _glossary(path: Path, data) -> list[dict[str, str]]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise VocabularyError(f"{path.name}: expected a list of entries")
    wanted = set(LANGUAGES)
    for number, entry in enumerate(data, 1):
        if (not isinstance(entry, dict) or set(entry) != wanted
                or not all(isinstance(v, str) and v.strip() for v in entry.values())):
            raise VocabularyError(f"{path.name}: entry {number} must give a word for each of "
                                  f"{', '.join(LANGUAGES)}, got {entry!r}")
    return [{k: v.strip() for k, v in entry.items()} for entry in data]
