"""The interface's languages and their gettext message catalogs.

English is the source language: messages are written in English where they are used
(``_()`` in templates, ``N_()`` or ``pgettext`` in code), extracted into messages.pot
by ``make translations`` (babel.cfg says from where), translated in
``<lang>/LC_MESSAGES/messages.po`` and compiled to ``messages.mo`` beside it.

A language is offered when it has a compiled catalog here: adding one is adding its
catalog, its mail template folders (mail/templates/<kind>/<lang>/) and its locale in
mkdocs.yml; tests/unit/test_catalogs.py fails when one of them is missing, a message
has no translation, or a translation's placeholders differ from the English.

Reading a catalog is the standard library's gettext: no Babel at run time.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent


def catalog_path(lang: str, suffix: str = ".mo") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def _translated_languages() -> list[str]:
    return sorted(p.name for p in LOCALE_DIR.iterdir()
                  if p.is_dir() and catalog_path(p.name).is_file())


# English first (the default and the fallback), then every language with a catalog.
LANGUAGES: tuple[str, ...] = (SOURCE_LANGUAGE, *(
    lang for lang in _translated_languages() if lang != SOURCE_LANGUAGE))


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of `lang`; English (the messages as written) for the source language
    and any language without one."""
    if lang == SOURCE_LANGUAGE or lang not in LANGUAGES:
        return gettext.NullTranslations()
    with catalog_path(lang).open("rb") as file:
        return gettext.GNUTranslations(file)


def gettext_in(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def pgettext_in(lang: str, context: str, message: str) -> str:
    return translations(lang).pgettext(context, message)


def ngettext_in(lang: str, singular: str, plural: str, count: int) -> str:
    return translations(lang).ngettext(singular, plural, count)


def decimal_mark(lang: str) -> str:
    """"." in English, "," in Dutch and German: the catalog says."""
    # Translators: the character between the whole and the decimal part: 1.5 MB.
    return pgettext_in(lang, "decimal mark", ".")


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; translated where it is shown."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:
    """N_ with a context, for words that differ by use ("May" the month, abbreviated)."""
    return context, message
