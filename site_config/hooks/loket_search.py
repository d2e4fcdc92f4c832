"""MkDocs hook: builds the knowledge-base search index from the rendered pages.

Every page is read from its finished HTML by the same parser that `loket search-build`
uses on a site folder, so both ways give the same index. Pages that answer nothing
(forms, listings, hub pages) get <meta name="loket:search" content="exclude"> so the
command leaves them out as well. The index goes to LOKET_SEARCH_INDEX (default
search/index beside mkdocs.yml), from where the suggestion function ships it.

The hook also adds the ticket form's suggestion script and styles to every page, and
splits the site's own search box index (MkDocs Material's search/search_index.json,
which mkdocs-static-i18n fills with every language) into one index per language, each
with its language's lunr stemmer: /nl/ pages search nl/search/search_index.json.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path, PurePosixPath

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from loket.config import ConfigError, load_portal_config
from loket.search.pages import EXCLUDE_META, read_page

ASSETS_CSS = "assets/loket/suggest.css"
ASSETS_JS = "assets/loket/suggest.js"
_HEAD = re.compile(r"<head[^>]*>")
# Material's page configuration: the search box loads search/search_index.json from `base`.
_CONFIG_BASE = re.compile(r'(<script id="__config" type="application/json">\{[^<]*?"base": ")'
                          r'([^"]*)(")')
SEARCH_INDEX = "search/search_index.json"
# lunr's pipeline with the language's stemmer (Material leaves it out for English).
SEARCH_PIPELINE = ["stemmer", "stopWordFilter", "trimmer"]
log = logging.getLogger("mkdocs.hooks.loket_search")
# One site build may hold nested builds, one per extra language (mkdocs-static-i18n);
# `depth` tells the outer build from those, so the index gets every language's pages.
_state: dict = {"pages": [], "sources": set(), "depth": 0, "products": set(), "out": None,
                "vocabulary": None}
# Pages with these markers are forms or server-rendered shells: nothing to find there.
# The ticket look-up page is indexed: its text answers "cannot find the receipt?".
_FORM_MARKERS = ("<!-- loket:ticket-form", "<!-- loket:server-content")


def on_config(config, **kwargs):
    from pydantic import ValidationError

    from loket.search.vocabulary import VocabularyError, load_dir
    from loket.settings import Settings

    root = Path(config.config_file_path).parent
    try:
        _state["products"] = set(load_portal_config(root / "site_config").products)
        _state["vocabulary"] = load_dir(root / "site_config" / "search")
        out = Settings().search_index
    except (ConfigError, ValidationError, VocabularyError) as exc:
        raise PluginError(f"Loket search: {exc}") from None
    _state["out"] = out if out.is_absolute() else root / out
    if ASSETS_CSS not in config.extra_css:
        config.extra_css.append(ASSETS_CSS)
    if ASSETS_JS not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(ASSETS_JS)
    return config


def on_pre_build(config, **kwargs):
    if not _state["depth"]:
        _state["pages"], _state["sources"] = [], set()
    _state["depth"] += 1


def on_build_error(error, **kwargs):
    _state["depth"] = 0


def on_page_markdown(markdown, page, config, files, **kwargs):
    # A release note filed under exactly one product's category is about that product;
    # as front matter it reaches the page's loket:product meta, and so the index.
    if _is_view(page) or page.meta.get("product"):
        return markdown
    products = {str(c).lower() for c in page.meta.get("categories") or []} & _state["products"]
    if len(products) == 1:
        page.meta["product"] = products.pop()
    return markdown


def on_post_page(output, page, config, **kwargs):
    output = _language_search_base(output, page, config)
    # A file rendered again by another language's build is that language's fallback
    # copy of the page: the first rendering stands for it.
    source = page.file.src_uri
    if _excluded(page) or source in _state["sources"]:
        return _HEAD.sub(lambda m: m.group() + EXCLUDE_META, output, count=1)
    _state["sources"].add(source)
    found = read_page(output, "/" + page.url)
    if found is not None:
        _state["pages"].append(found)
    return output


@event_priority(-200)  # After mkdocs-static-i18n (-100) has built the other languages.
def on_post_build(config, **kwargs):
    from loket.search.index import build_index

    _state["depth"] -= 1
    if _state["depth"]:
        return  # A language build inside the site build: the outer build writes the index.
    count = build_index(_state["pages"], _state["out"], _state["vocabulary"])
    log.info("Loket search: %d pages indexed in %s", count, _state["out"])
    _split_site_search(Path(config.site_dir), _language_folders(config))


def _language_folders(config) -> list[str]:
    """The languages built in their own folder (/nl/): all but the default one."""
    i18n = config.plugins.get("i18n")
    languages = getattr(getattr(i18n, "config", None), "languages", None) or []
    return [lang.locale for lang in languages if not lang.default]


def _language_search_base(output: str, page, config) -> str:
    """A page under /nl/ gets /nl/ as its search base, so its search box loads the
    Dutch index (Material reads nothing else from `base` on this site: no instant
    navigation, no versions)."""
    folder = page.url.split("/", 1)[0]
    if folder not in _language_folders(config):
        return output
    depth = len(PurePosixPath(page.url).parts) - (0 if page.url.endswith("/") else 1) - 1
    base = "/".join([".."] * depth) or "."
    return _CONFIG_BASE.sub(lambda m: m.group(1) + base + m.group(3), output, count=1)


def _split_site_search(site: Path, folders: list[str]) -> None:
    index_file = site / SEARCH_INDEX
    if not folders or not index_file.is_file():
        return
    data = json.loads(index_file.read_text(encoding="utf-8"))
    docs = data["docs"]
    default = [doc for doc in docs if doc["location"].split("/", 1)[0] not in folders]
    default_lang = next((lang for lang in data["config"]["lang"] if lang not in folders), "en")
    _write_search(index_file, data["config"], default_lang, default)
    for folder in folders:
        prefix = folder + "/"
        own = [{**doc, "location": doc["location"][len(prefix):]} for doc in docs
               if doc["location"].startswith(prefix)]
        _write_search(site / folder / SEARCH_INDEX, data["config"], folder, own)


def _write_search(path: Path, config: dict, lang: str, docs: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"config": {**config, "lang": [lang], "pipeline": SEARCH_PIPELINE}, "docs": docs}
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")


def _excluded(page) -> bool:
    """Pages that answer no question: forms, listings and hubs that only link onwards.
    The home page stays in: it holds the support hours and response targets."""
    search = page.meta.get("search") or {}
    markdown = page.markdown or ""
    return bool(
        (isinstance(search, dict) and search.get("exclude"))
        or (page.is_index and not _is_home(page))  # section index pages
        or _is_view(page)                          # the blog's index, archive, categories
        or any(marker in markdown for marker in _FORM_MARKERS)
    )


def _is_home(page) -> bool:
    # "index.md", or a translation of it ("index.nl.md") under mkdocs-static-i18n.
    return page.file.src_uri.split(".")[0] == "index"


def _is_view(page) -> bool:
    try:
        from material.plugins.blog.structure import View
    except ImportError:  # Another theme: there are no blog views to leave out.
        return False
    return isinstance(page, View)
