"""MkDocs hook: known issues (docs/known-issues/<id>.md), checked, shown and listed.

- Each known issue page's front matter is checked like an article's (the build stops
  with every problem, file by file): id (the file's name), title, product, status
  (investigating | fix-planned | fixed), workaround; optional fixed_in and versions.
- A release note's `fixes: [PLN-142]` must name known issues; the issue's page then
  shows "Fixed in" with the release note's link (the blog's {date}/{slug} URL).
- Under each page's title: its status, product, versions, the workaround, the fix,
  and the "This affects me too" form (to the portal; it works without JS).
- <!-- loket:known-issues --> on a page becomes the list per product, with status.
- After the build, known-issues.json at the site's root holds what was built
  (loket.domain.known_issues.Catalog): the desk links tickets from it and
  `loket publish` tells every linked ticket that its fix is out.
"""

from __future__ import annotations

import datetime as dt
import logging
import posixpath
import re
from html import escape
from pathlib import Path, PurePosixPath

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from loket.domain.known_issues import (CATALOG_FILE, FIXED, Catalog, KnownIssue, Release,
                                       check_front_matter, fixes_of)
from loket.locale import LANGUAGES
from loket.web.known_issue_words import known_issue_words

ISSUES_DIR = "known-issues/"
POSTS_DIR = "release-notes/posts/"
LIST_MARK = "<!-- loket:known-issues -->"
STYLES = "assets/loket/known_issues.css"
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
log = logging.getLogger("mkdocs.hooks.loket_known_issues")

# What the build saw; one site build holds a nested build per extra language.
_state: dict = {"issues": {}, "fixes": {}, "sources": {}, "products": {}, "depth": 0}


def on_config(config, **kwargs):
    from loket.config import ConfigError, load_portal_config

    root = Path(config.config_file_path).parent
    try:
        products = load_portal_config(root / "site_config").products
    except ConfigError as exc:
        raise PluginError(f"Loket known issues: {exc}") from None
    _state["products"] = {pid: {lang: product.get(lang) for lang in LANGUAGES}
                          for pid, product in products.items()}
    if STYLES not in config.extra_css:
        config.extra_css.append(STYLES)
    return config


def on_pre_build(config, **kwargs):
    if not _state["depth"]:
        _state["issues"], _state["fixes"], _state["sources"] = {}, {}, {}
    _state["depth"] += 1


def on_build_error(error, **kwargs):
    _state["depth"] = 0


def on_files(files, config, **kwargs):
    """Check every known issue and every release note's `fixes` before any page renders."""
    problems, issues, fixes = [], {}, {}
    for file in files.documentation_pages():
        if file.src_uri.startswith(ISSUES_DIR) and not _is_index(file.src_uri):
            meta = _meta(file, problems)
            if meta is None:
                continue
            found = check_front_matter(meta, _state["products"], _file_id(file.src_uri))
            problems += [f"{_where(file)}: {p}" for p in found]
            if not found:
                issues.setdefault(meta["id"], {})[_file_language(file.src_uri)] = meta
        elif file.src_uri.startswith(POSTS_DIR):
            meta = _meta(file, problems)
            for issue in fixes_of(meta or {}):
                fixes[issue] = _release(meta, file)
    problems += [f"release note fixes '{issue}', which is no known issue "
                 f"(docs/{ISSUES_DIR}{issue}.md)" for issue in sorted(set(fixes) - set(issues))]
    if problems:
        raise PluginError("Loket known issues:\n  " + "\n  ".join(problems))
    # Each language's build sees its own files (PLN-142.nl.md in the Dutch one).
    lang = _language(config)
    for issue_id, metas in issues.items():
        _state["sources"].setdefault(issue_id, {})[lang] = _pick(metas, lang)
    _state["fixes"].update(fixes)
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    lang = _language(config)
    if LIST_MARK in markdown:
        markdown = markdown.replace(LIST_MARK, _listing(page, lang))
    src = page.file.src_uri
    if not src.startswith(ISSUES_DIR) or _is_index(src):
        return markdown
    issue = _remember(page, lang)
    head, newline, rest = markdown.partition("\n")
    box = _box(issue, page, lang)
    if head.startswith("# "):
        return head + newline + "\n" + box + "\n" + rest
    return box + "\n" + markdown


# After mkdocs-static-i18n (-100) has built the other languages and loket_search
# (-200) has moved the new search index into place.
@event_priority(-250)
def on_post_build(config, **kwargs):
    _state["depth"] -= 1
    if _state["depth"]:
        return
    catalog = Catalog({issue_id: _issue(issue_id, seen)
                       for issue_id, seen in _state["issues"].items()})
    # At the site's root for `loket publish`, and beside the search index, which the
    # AWS function ships (the desk reads it there when it serves no site folder).
    for folder in (Path(config.site_dir), _search_index(config)):
        if folder.is_dir():
            (folder / CATALOG_FILE).write_text(catalog.to_json(), encoding="utf-8")
    log.info("Loket known issues: %d written to %s", len(catalog.issues), CATALOG_FILE)


def _search_index(config) -> Path:
    from loket.settings import Settings

    out = Settings().search_index
    return out if out.is_absolute() else Path(config.config_file_path).parent / out


# -- what a page shows ---------------------------------------------------------------------

def _box(issue: KnownIssue, page, lang: str) -> str:
    words = known_issue_words(lang)
    product = _state["products"].get(issue.product, {}).get(lang) or issue.product
    status = FIXED if issue.fixed else issue.status
    lines = [f'<dl class="loket-known-issue" data-status="{status}">',
             f"<dt>{words['status']}</dt><dd>{escape(words[status])}</dd>",
             f"<dt>{words['product']}</dt><dd>{escape(product)}</dd>"]
    if issue.versions:
        lines.append(f"<dt>{words['versions']}</dt>"
                     f"<dd>{escape(', '.join(issue.versions))}</dd>")
    if issue.fixed or issue.fixed_in:
        lines.append(f"<dt>{words['fixed_in']}</dt><dd>{_fix(issue, page)}</dd>")
    lines.append("</dl>")
    workaround = issue.workaround_in(lang)
    if workaround:
        lines += ["", f'!!! tip "{words["workaround"]}"', "",
                  *("    " + line for line in workaround.splitlines()), ""]
    if not issue.fixed:
        lines += ["", _affects_form(issue, lang, words)]
    return "\n".join(lines) + "\n"


def _fix(issue: KnownIssue, page) -> str:
    text = escape(issue.fixed_in or (issue.release.title if issue.release else ""))
    if issue.release is None:
        return text
    href = _relative(page, issue.release.url)
    title = escape(issue.release.title)
    return (f'{text}: <a href="{href}" hreflang="en">{title}</a>' if issue.fixed_in
            else f'<a href="{href}" hreflang="en">{title}</a>')


def _affects_form(issue: KnownIssue, lang: str, words: dict) -> str:
    """A plain form to the portal: it works with no script. A GET, since the static
    page holds no session token; the portal's page (signed in) then posts the choice
    of ticket with the session's CSRF token (loket/web/known_issue_pages.py)."""
    action = f"/portal/known-issues/{issue.id}"
    return (f'<form class="loket-affects-me" method="get" action="{action}">\n'
            f'<input type="hidden" name="lang" value="{lang}">\n'
            f'<p>{escape(words["affects_hint"])}</p>\n'
            f'<button type="submit" class="md-button">{escape(words["affects"])}</button>\n'
            f"</form>")


def _listing(page, lang: str) -> str:
    words = known_issue_words(lang)
    sources = _state.get("sources") or {}
    if not sources:
        return f"<p>{escape(words['none'])}</p>"
    parts = []
    for product, names in _state["products"].items():
        issues = sorted((i for i, langs in sources.items()
                         if _pick(langs, lang)["product"] in (product, "all")))
        if not issues:
            continue
        parts.append(f"<h2>{escape(names.get(lang) or product)}</h2>")
        parts.append(f"<table><thead><tr><th>{words['issue']}</th><th>{words['title']}</th>"
                     f"<th>{words['status']}</th></tr></thead><tbody>")
        for issue_id in issues:
            meta = _pick(sources[issue_id], lang)
            status = FIXED if issue_id in _state["fixes"] else meta["status"]
            href = _relative(page, _issue_path(issue_id, lang))
            parts.append(f'<tr><td>{issue_id}</td><td><a href="{href}">'
                         f'{escape(str(meta["title"]))}</a></td>'
                         f'<td data-status="{status}">{escape(words[status])}</td></tr>')
        parts.append("</tbody></table>")
    return "\n".join(parts)


# -- the catalog ----------------------------------------------------------------------------

def _remember(page, lang: str) -> KnownIssue:
    """The issue as this language's build shows it; kept for the catalog."""
    meta = dict(page.meta)
    seen = _state["issues"].setdefault(meta["id"], {})
    seen[lang] = {"meta": meta, "url": "/" + page.url}
    return _issue(meta["id"], seen)


def _issue(issue_id: str, seen: dict) -> KnownIssue:
    first = seen.get("en") or next(iter(seen.values()))
    meta = first["meta"]
    sources = (_state.get("sources") or {}).get(issue_id, {})
    return KnownIssue(
        id=issue_id, product=meta["product"], status=meta["status"],
        titles={lang: str(s["meta"]["title"]) for lang, s in seen.items()},
        urls={lang: s["url"] for lang, s in seen.items()},
        workaround={lang: str(m["workaround"]).strip() for lang, m in sources.items()},
        versions=tuple(str(v) for v in meta.get("versions") or ()),
        fixed_in=str(meta.get("fixed_in") or ""),
        release=_state["fixes"].get(issue_id))


def _release(meta: dict, file) -> Release:
    day = meta.get("date")
    day = day.get("created") if isinstance(day, dict) else day
    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    slug = meta.get("slug") or PurePosixPath(file.src_uri).stem
    return Release(title=str(meta.get("title") or slug),
                   url=f"/release-notes/{day:%Y/%m/%d}/{slug}/")


# -- small helpers ---------------------------------------------------------------------------

def _meta(file, problems: list) -> dict | None:
    found = _FRONT_MATTER.match(file.content_string)
    if not found:
        problems.append(f"{_where(file)}: no front matter (a '---' block at the top)")
        return None
    try:
        meta = yaml.safe_load(found.group(1))
    except yaml.YAMLError as exc:
        problems.append(f"{_where(file)}: front matter is not valid YAML: {exc}")
        return None
    return meta if isinstance(meta, dict) else {"": meta}


def _pick(langs: dict, lang: str) -> dict:
    return langs.get(lang) or langs.get("en") or next(iter(langs.values()))


def _issue_path(issue_id: str, lang: str) -> str:
    return (f"/{lang}/" if lang != "en" else "/") + f"{ISSUES_DIR}{issue_id}/"


def _relative(page, target: str) -> str:
    """From the page's folder to a site path: the site may be served under a prefix."""
    here = "/" + page.url if page.url.endswith("/") else "/" + posixpath.dirname(page.url) + "/"
    return posixpath.relpath(target, here).rstrip("/") + "/"


def _language(config) -> str:
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return config.theme.get("language") or "en"
    return i18n.current_language or i18n.default_language


def _is_index(src_uri: str) -> bool:
    return PurePosixPath(src_uri).name.split(".")[0] in ("index", "README")


def _file_id(src_uri: str) -> str:
    return PurePosixPath(src_uri).name.split(".")[0]


def _file_language(src_uri: str) -> str:
    suffixes = PurePosixPath(src_uri).suffixes
    return suffixes[-2][1:] if len(suffixes) >= 2 and suffixes[-2][1:] in LANGUAGES else "en"


def _where(file) -> str:
    return f"docs/{file.src_uri}"
