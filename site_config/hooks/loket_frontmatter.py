"""MkDocs hook: knowledge-base articles and release notes carry the front matter the
portal relies on, or the build stops with every problem, file by file.

Checked pages: every Markdown file under docs/kb/ except index pages (index.md,
index.nl.md, README.md) and the tags listing (a page holding `<!-- material/tags`),
and every release-note post (under the blog's posts folder). Each needs:

- `title`: a non-empty text;
- `product`: a product id from site_config/portal.yml, or `all`;
- `language`: one of the site's languages, and the one the file name says:
  `page.nl.md` is Dutch, `page.md` the default language (English).

A problem reads, for example:
    docs/kb/planner/export.md: front matter 'product' is 'planer'; expected one of: planner, payroll, all
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ANY_PRODUCT = "all"
REQUIRED = ("title", "product", "language")
KB_DIR = "kb/"
INDEX_NAMES = {"index", "README"}
TAGS_MARKER = "<!-- material/tags"
# The same front matter block MkDocs reads (mkdocs.utils.meta).
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


@dataclass(frozen=True)
class Rules:
    products: tuple[str, ...]
    languages: tuple[str, ...] = ("en", "nl")
    default_language: str = "en"
    posts_dir: str = "release-notes/posts/"


def file_language(src_uri: str, rules: Rules) -> str:
    """The language a file's name gives it: the suffix before .md, else the default."""
    suffixes = PurePosixPath(src_uri).suffixes
    if len(suffixes) >= 2 and suffixes[-2][1:] in rules.languages:
        return suffixes[-2][1:]
    return rules.default_language


def is_checked(src_uri: str, text: str, rules: Rules) -> bool:
    """A knowledge-base article or a release-note post (not an index or listing page)."""
    if src_uri.startswith(rules.posts_dir):
        return True
    if not src_uri.startswith(KB_DIR):
        return False
    stem = PurePosixPath(src_uri).name.split(".")[0]
    return stem not in INDEX_NAMES and TAGS_MARKER not in text


def front_matter_problems(src_uri: str, text: str, rules: Rules) -> list[str]:
    """What is missing or wrong in one page's front matter (empty when all is well)."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return [f"no front matter (a '---' block at the top); it needs {', '.join(REQUIRED)}"]
    try:
        meta = yaml.safe_load(found.group(1))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        return [f"front matter is not valid YAML{line}: {getattr(exc, 'problem', exc)}"]
    if not isinstance(meta, dict):
        return [f"front matter is not a mapping of keys; it needs {', '.join(REQUIRED)}"]
    problems = [f"front matter has no '{key}'" for key in REQUIRED
                if meta.get(key) is None or str(meta.get(key)).strip() == ""]
    product = meta.get("product")
    allowed = (*rules.products, ANY_PRODUCT)
    if product is not None and str(product).strip() and product not in allowed:
        problems.append(f"front matter 'product' is '{product}'; "
                        f"expected one of: {', '.join(allowed)}")
    language = meta.get("language")
    if language is not None and str(language).strip():
        expected = file_language(src_uri, rules)
        if language not in rules.languages:
            problems.append(f"front matter 'language' is '{language}'; "
                            f"expected one of: {', '.join(rules.languages)}")
        elif language != expected:
            name = PurePosixPath(src_uri).name
            problems.append(f"front matter 'language' is '{language}', but the file name "
                            f"{name} makes it '{expected}'")
    return problems


def validate(docs_dir: Path, rules: Rules, *, shown_as: str = "docs") -> list[str]:
    """Every problem in the checked pages under docs_dir, one line each, naming the file."""
    problems = []
    for path in sorted(Path(docs_dir).rglob("*.md")):
        src_uri = path.relative_to(docs_dir).as_posix()
        text = path.read_text(encoding="utf-8-sig")
        if is_checked(src_uri, text, rules):
            problems += [f"{shown_as}/{src_uri}: {p}"
                         for p in front_matter_problems(src_uri, text, rules)]
    return problems


def rules_for(config) -> Rules:
    """The rules for this site: products from site_config/, languages from i18n, posts from the blog."""
    from loket.config import ConfigError, load_portal_config

    root = Path(config.config_file_path).parent
    try:
        products = tuple(load_portal_config(root / "site_config").products)
    except ConfigError as exc:
        raise PluginError(f"Loket configuration: {exc}") from None
    i18n = config.plugins.get("i18n")
    if i18n is not None:
        languages = tuple(lang.locale for lang in i18n.config.languages)
        default = i18n.default_language
    else:
        default = config.theme.get("language") or "en"
        languages = (default,)
    posts_dir = Rules.posts_dir
    blog = config.plugins.get("material/blog")
    if blog is not None:
        blog_root = posixpath.normpath(blog.config.blog_dir)
        posts_dir = posixpath.normpath(blog.config.post_dir.format(blog=blog_root)) + "/"
    return Rules(products=products, languages=languages, default_language=default,
                 posts_dir=posts_dir)


# First of all, so a bad page stops the build before anything is written.
@event_priority(100)
def on_pre_build(config, **kwargs):
    docs_dir = Path(config.docs_dir)
    root = Path(config.config_file_path).parent
    try:
        shown_as = docs_dir.relative_to(root).as_posix()
    except ValueError:
        shown_as = docs_dir.as_posix()
    problems = validate(docs_dir, rules_for(config), shown_as=shown_as)
    if problems:
        raise PluginError(f"Front matter: {len(problems)} problem(s); fix these pages:\n  "
                          + "\n  ".join(problems))
