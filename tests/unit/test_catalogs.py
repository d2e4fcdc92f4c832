"""The interface's message catalogs (functions/loket/locale/) are complete and in step:
what the code and templates mark for translation is in messages.pot, every language
translates every message with the same placeholders, the committed .mo files are the
.po files compiled, and each language has its e-mails and its site build."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, meta

from loket.locale import LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, catalog_path
from loket.web.i18n import all_messages, strings

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
MAIL_TEMPLATES = ROOT / "functions/loket/mail/templates"
MAIL_FILES = ("subject.txt", "body.txt", "body.html")


def _key(message) -> tuple:
    return (message.context, message.id)


def _makefile_keywords() -> dict:
    """The extra keywords `make translations` passes to pybabel (BABEL_KEYWORDS)."""
    line = re.search(r"^BABEL_KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    return parse_keywords(re.findall(r"-k (\S+)", line.group(1)))


def _pot():
    with (LOCALE_DIR / "messages.pot").open("rb") as file:
        return read_po(file)


def _po(lang: str):
    with catalog_path(lang, ".po").open("rb") as file:
        return read_po(file, locale=lang)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_template_holds_every_message_the_code_and_templates_mark():
    with (ROOT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)
    keywords = {**DEFAULT_KEYWORDS, **_makefile_keywords()}
    found = {(context, msgid if isinstance(msgid, str) else tuple(msgid))
             for _, _, msgid, _, context in extract_from_dir(
                 ROOT / "functions", method_map, options_map, keywords)}
    in_pot = {_key(m) for m in _pot() if m.id}
    assert found - in_pot == set(), "run `make translations`: messages not extracted yet"
    assert in_pot - found == set(), "run `make translations`: messages no longer used"


def test_every_named_string_is_a_message_of_the_template():
    ids = {m.id for m in _pot() if m.id and m.context is None}
    assert set(all_messages().values()) <= ids


def test_german_is_offered_beside_english_and_dutch():
    assert LANGUAGES[0] == "en" and {"nl", "de"} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_has_a_translation_with_the_same_placeholders(lang):
    po = _po(lang)
    translated = {_key(m): m for m in po if m.id}
    for message in _pot():
        if not message.id:
            continue
        found = translated.get(_key(message))
        assert found is not None, f"{lang}: no entry for {message.id!r}"
        assert not found.fuzzy, f"{lang}: fuzzy translation of {message.id!r}"
        forms = found.string if isinstance(found.string, tuple) else (found.string,)
        assert all(f.strip() for f in forms), f"{lang}: {message.id!r} is not translated"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for form in forms:
            assert _placeholders(form) == _placeholders(ids[-1]), \
                f"{lang}: {message.id!r} -> {form!r} has other placeholders"
    assert len(translated) == len([m for m in _pot() if m.id]), f"{lang}: obsolete entries"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_committed_mo_is_the_po_compiled(lang):
    compiled = io.BytesIO()
    write_mo(compiled, _po(lang))
    assert catalog_path(lang).read_bytes() == compiled.getvalue(), \
        f"{lang}: messages.mo is stale: run `make translations`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_language_reads_in_its_own_words(lang):
    english, own = strings("en"), strings(lang)
    same = {name for name in english if english[name] == own[name]}
    # Words that stay the same in every language (names, "Status", "Desk") are few.
    assert len(same) < len(english) / 10, same


def _template_names(path: Path) -> set[str]:
    return meta.find_undeclared_variables(Environment().parse(path.read_text("utf-8")))


@pytest.mark.parametrize("kind", sorted(p.name for p in MAIL_TEMPLATES.iterdir()))
def test_every_e_mail_has_its_templates_in_every_language_with_the_same_data(kind):
    for lang in LANGUAGES:
        for name in MAIL_FILES:
            path = MAIL_TEMPLATES / kind / lang / name
            assert path.is_file(), f"{kind}: no {lang}/{name}"
            assert _template_names(path) == _template_names(MAIL_TEMPLATES / kind / "en" / name), \
                f"{kind}/{lang}/{name} uses other data than the English"
    assert {p.name for p in (MAIL_TEMPLATES / kind).iterdir()} == set(LANGUAGES)


def test_the_scripts_english_is_the_catalogs_source_text():
    """portal.js keeps English as its fallback; the forms bring every language's words."""
    from loket.web.i18n import script_text

    source = (ROOT / "site_config/overrides/assets/loket/portal.js").read_text("utf-8")
    block = re.search(r"var ENGLISH = \{(.*?)\};", source, re.S).group(1)
    english = dict(re.findall(r'(\w+): "([^"]*)"', block))
    assert english == script_text("en")
    assert script_text("de")["tooMany"] == "Höchstens {n} Dateien pro Nachricht."


def test_the_site_is_built_in_every_language_of_the_interface():
    """mkdocs.yml's i18n locales: a language's portal pages need its page shell."""
    locales = re.findall(r"^\s*- locale: (\w+)$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert sorted(locales) == sorted(LANGUAGES)
