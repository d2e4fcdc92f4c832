"""A built page as the search index sees it: the text pulled out of its rendered HTML.

The MkDocs hook and `loket search-build` both read the finished HTML with this one
parser, so an index built during the site build and one built later from the site
folder hold the same documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from loket.search.languages import LANGUAGES

# A page the index must leave out carries <meta name="loket:search" content="exclude">;
# the site-build hook adds it to form pages, listings and other pages that answer nothing.
EXCLUDE_META = '<meta name="loket:search" content="exclude">'

_BLOCKS = {"p", "li", "td", "th", "dt", "dd", "div", "pre", "br", "tr", "blockquote",
           "h1", "h2", "h3", "h4", "h5", "h6", "section", "details", "summary", "ul", "ol"}
_SKIPPED = {"script", "style", "svg", "template", "form", "button", "nav", "noscript"}
_VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "area", "col"}
_SPACES = re.compile(r"\s+")
# Translations share a key: "kb/a.nl/" and "nl/kb/a/" both belong to "kb/a/".
_LANG_SUFFIX = re.compile(r"\.(?:%s)/$" % "|".join(LANGUAGES))


@dataclass(frozen=True)
class SitePage:
    url: str           # the page's path on the site, e.g. "/kb/planner/export/"
    title: str
    headings: tuple[str, ...]
    summary: str       # the page description (meta description)
    body: str
    product: str       # "" when the page is about every product
    language: str
    key: str           # the same for every translation of one page


def read_page(html: str, url: str) -> SitePage | None:
    """The searchable text of one rendered page, or None when it stays out of the index."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    if parser.excluded or not parser.found_content:
        return None
    title = parser.title or parser.meta.get("title", "")
    body = _clean("".join(parser.body))
    if not title or not body:
        return None
    language = parser.meta.get("loket:language") or parser.lang or "en"
    return SitePage(url=url, title=title, headings=tuple(parser.headings),
                    summary=_clean(parser.meta.get("description", "")), body=body,
                    product=parser.meta.get("loket:product", ""),
                    language=language.split("-")[0].lower(), key=translation_key(url))


def translation_key(url: str) -> str:
    path = url.strip("/")
    path = _LANG_SUFFIX.sub("/", path + "/") if path else ""
    first, _, rest = path.partition("/")
    if first in LANGUAGES:  # A language folder: "nl/kb/a/", or "nl/" (its home page).
        path = rest
    return "/" + path


def read_site(site_dir: Path):
    """Every indexable page of a built site folder, as (SitePage) in a stable order."""
    for file in sorted(site_dir.rglob("*.html")):
        relative = file.relative_to(site_dir)
        if relative.parts[0] in ("assets", "search") or relative.name == "404.html":
            continue
        page = read_page(file.read_text(encoding="utf-8"), url_of(relative))
        if page is not None:
            yield page


def url_of(relative: Path) -> str:
    if relative.name == "index.html":
        parent = relative.parent.as_posix()
        return "/" if parent == "." else f"/{parent}/"
    return "/" + relative.as_posix()


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class _PageParser(HTMLParser):
    """Collects the page's metadata and the text of its <article class="md-content__inner">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.lang = ""
        self.excluded = False
        self.found_content = False
        self.title = ""
        self.headings: list[str] = []
        self.body: list[str] = []
        self._depth = 0          # open elements inside the content article; 0 = outside
        self._skip_depth = 0     # > 0 while inside an element whose text is not content
        self._heading: list[str] | None = None
        self._heading_tag = ""
        # Open list items as [where their text starts, own characters, link characters]:
        # an item that is mostly a link ("Related articles") points elsewhere, and its
        # words would make this page match the other page's subject.
        self._items: list[list[int]] = []
        self._links = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        elif tag == "meta" and attributes.get("name"):
            self._read_meta(attributes["name"], attributes.get("content") or "")
        elif tag == "title" and not self._depth:
            self._heading, self._heading_tag = [], "title"
        if not self._depth:
            if tag == "article" and "md-content__inner" in (attributes.get("class") or ""):
                self._depth, self.found_content = 1, True
            return
        if tag in _VOID:
            self._text(" ")
            return
        self._depth += 1
        if self._skip_depth or tag in _SKIPPED or _is_permalink(tag, attributes):
            self._skip_depth += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self._heading is None:
            self._heading, self._heading_tag = [], tag
        elif tag in _BLOCKS:
            self._text(" ")
        if tag == "li" and not self._skip_depth:
            self._items.append([len(self.body), 0, 0])
        elif tag == "a" and not self._skip_depth:
            self._links += 1

    def handle_endtag(self, tag):
        if self._heading is not None and tag == self._heading_tag:
            self._end_heading()
        if not self._depth or tag in _VOID:
            return
        self._depth -= 1
        if self._skip_depth:
            self._skip_depth -= 1
            return
        if tag == "a":
            self._links = max(0, self._links - 1)
        elif tag == "li" and self._items:
            start, own, linked = self._items.pop()
            if linked > own:
                del self.body[start:]
        if tag in _BLOCKS:
            self._text(" ")

    def handle_data(self, data):
        if self._heading is not None and not self._skip_depth:
            self._heading.append(data)
        elif self._depth and not self._skip_depth:
            self._text(data)

    def _text(self, text: str) -> None:
        self.body.append(text)
        if self._items:
            self._items[-1][2 if self._links else 1] += len(text.strip())

    def _end_heading(self) -> None:
        text = _clean("".join(self._heading or []))
        tag, self._heading = self._heading_tag, None
        if tag == "title":
            self.meta.setdefault("title", text.split(" - ")[0])
        elif tag == "h1" and not self.title:
            self.title = text
        elif text:
            self.headings.append(text)

    def _read_meta(self, name: str, content: str) -> None:
        if name == "loket:search" and content == "exclude":
            self.excluded = True
        self.meta[name] = content


def _is_permalink(tag: str, attributes: dict) -> bool:
    # Material's pilcrow after each heading, and the tag chips above an article.
    # And the home page's grid of cards: each describes another page, whose words
    # would make the home page match that page's subject.
    classes = (attributes.get("class") or "").split()
    return ((tag == "a" and "headerlink" in classes) or "md-tags" in classes
            or (tag == "div" and {"grid", "cards"} <= set(classes)))
