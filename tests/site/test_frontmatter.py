"""Front matter of articles and release notes, checked by site_config/hooks/loket_frontmatter.py.

The hook's functions run here on files written to a temporary docs folder; one test in
test_site.py runs the hook through a real build.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from tests.paths import ROOT


def load_hook():
    path = ROOT / "site_config" / "hooks" / "loket_frontmatter.py"
    spec = importlib.util.spec_from_file_location("loket_frontmatter_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # As MkDocs loads hooks; dataclasses look it up.
    spec.loader.exec_module(module)
    return module


hook = load_hook()
RULES = hook.Rules(products=("planner", "payroll"), languages=("en", "nl"),
                   default_language="en", posts_dir="release-notes/posts/")
GOOD = """---
title: Export to Excel fails
product: planner
language: {language}
tags:
  - Export
---

# Export to Excel fails
"""


def write(docs: Path, path: str, text: str) -> None:
    file = docs / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")


@pytest.fixture
def docs(tmp_path) -> Path:
    docs = tmp_path / "docs"
    write(docs, "kb/planner/export.md", GOOD.format(language="en"))
    write(docs, "kb/planner/export.nl.md", GOOD.format(language="nl"))
    return docs


def test_good_articles_pass(docs):
    write(docs, "release-notes/posts/2026-01-27-planner.md",
          "---\ntitle: 'Planner 2026.1: swaps'\nproduct: all\nlanguage: en\n"
          "date: 2026-01-27\ncategories: [Planner]\n---\n\n# Planner 2026.1\n")
    assert hook.validate(docs, RULES) == []


@pytest.mark.parametrize("key", ["title", "product", "language"])
def test_a_missing_key_is_named_with_the_file(docs, key):
    text = "\n".join(line for line in GOOD.format(language="en").splitlines()
                     if not line.startswith(f"{key}:")) + "\n"
    write(docs, "kb/planner/export.md", text)
    assert hook.validate(docs, RULES) == [
        f"docs/kb/planner/export.md: front matter has no '{key}'"]


def test_an_empty_title_counts_as_missing(docs):
    write(docs, "kb/planner/export.md",
          GOOD.format(language="en").replace("title: Export to Excel fails", "title: ''"))
    assert hook.validate(docs, RULES) == ["docs/kb/planner/export.md: front matter has no 'title'"]


def test_an_unknown_product_lists_the_products(docs):
    write(docs, "kb/planner/export.md",
          GOOD.format(language="en").replace("product: planner", "product: planer"))
    assert hook.validate(docs, RULES) == [
        "docs/kb/planner/export.md: front matter 'product' is 'planer'; "
        "expected one of: planner, payroll, all"]


def test_an_unknown_language_lists_the_languages(docs):
    write(docs, "kb/planner/export.md", GOOD.format(language="de"))
    assert hook.validate(docs, RULES) == [
        "docs/kb/planner/export.md: front matter 'language' is 'de'; expected one of: en, nl"]


@pytest.mark.parametrize("path, language, expected", [
    ("kb/planner/export.nl.md", "en", "nl"),
    ("kb/planner/export.md", "nl", "en"),
])
def test_the_language_must_match_the_file_name(docs, path, language, expected):
    write(docs, path, GOOD.format(language=language))
    name = path.rsplit("/", 1)[1]
    assert hook.validate(docs, RULES) == [
        f"docs/{path}: front matter 'language' is '{language}', but the file name "
        f"{name} makes it '{expected}'"]


def test_a_page_without_front_matter_or_with_broken_yaml_is_reported(docs):
    write(docs, "kb/payroll/a.md", "# No front matter\n")
    write(docs, "kb/payroll/b.md", "---\ntitle: [unclosed\nproduct: payroll\n---\n\n# B\n")
    problems = hook.validate(docs, RULES)
    assert problems[0] == ("docs/kb/payroll/a.md: no front matter (a '---' block at the top); "
                           "it needs title, product, language")
    assert problems[1].startswith("docs/kb/payroll/b.md: front matter is not valid YAML")
    assert len(problems) == 2


def test_every_offending_file_is_listed_not_only_the_first(docs):
    write(docs, "kb/planner/export.md", "---\ntitle: Export\n---\n")
    write(docs, "release-notes/posts/2026-01-01-new.md", "---\ndate: 2026-01-01\n---\n# New\n")
    assert hook.validate(docs, RULES) == [
        "docs/kb/planner/export.md: front matter has no 'product'",
        "docs/kb/planner/export.md: front matter has no 'language'",
        "docs/release-notes/posts/2026-01-01-new.md: front matter has no 'title'",
        "docs/release-notes/posts/2026-01-01-new.md: front matter has no 'product'",
        "docs/release-notes/posts/2026-01-01-new.md: front matter has no 'language'",
    ]


def test_index_pages_tag_listings_and_other_pages_are_not_checked(docs):
    write(docs, "kb/index.md", "# Knowledge base\n")
    write(docs, "kb/index.nl.md", "# Kennisbank\n")
    write(docs, "kb/planner/README.md", "# Planner\n")
    write(docs, "kb/tags.md", "---\ntitle: Tags\n---\n\n<!-- material/tags -->\n")
    write(docs, "release-notes/index.md", "# Release notes\n")
    write(docs, "support/submit.md", "# Submit a ticket\n")
    assert hook.validate(docs, RULES) == []


def test_the_hook_stops_the_build_with_every_problem(tmp_path, docs):
    write(docs, "kb/planner/export.md",
          GOOD.format(language="en").replace("product: planner", "product: planer"))
    write(docs, "kb/payroll/a.md", "# No front matter\n")
    config = fake_config(tmp_path, docs)
    with pytest.raises(PluginError) as raised:
        hook.on_pre_build(config)
    message = str(raised.value)
    assert "docs/kb/planner/export.md: front matter 'product' is 'planer'" in message
    assert "docs/kb/payroll/a.md: no front matter" in message


def test_the_hook_takes_products_from_site_config_and_languages_from_i18n(tmp_path, docs):
    config = fake_config(tmp_path, docs)
    rules = hook.rules_for(config)
    assert set(rules.products) == {"planner", "payroll"}
    assert (rules.languages, rules.default_language) == (("en", "nl"), "en")
    hook.on_pre_build(config)  # The good files pass.


def fake_config(tmp_path: Path, docs: Path):
    """Just what the hook reads of an MkDocs config: the real site_config/, a docs folder."""
    (tmp_path / "site_config").symlink_to(ROOT / "site_config")
    i18n = SimpleNamespace(
        config=SimpleNamespace(languages=[SimpleNamespace(locale="en"),
                                          SimpleNamespace(locale="nl")]),
        default_language="en")
    return SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"), docs_dir=str(docs),
                           plugins={"i18n": i18n}, theme={"language": "en"})
