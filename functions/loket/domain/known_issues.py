"""Known issues: a bug many customers report, kept as a page in git
(docs/known-issues/<id>.md), linked to the tickets it explains, and fixed in a release.

The site build checks each page's front matter (check_front_matter) and writes what
it built to the site folder as known-issues.json (a Catalog): the desk reads it to
link tickets, and `loket publish` to tell every linked ticket a fix is out. A release
note says which issues it fixes (`fixes: [PLN-142]` in its front matter).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

# The catalogs (as every string a customer reads): a language with one has the label.
from loket.locale import pgettext_in

# "PLN-142": a product's prefix, a dash, a number.
ISSUE_ID = re.compile(r"^[A-Z][A-Z0-9]{0,9}-[0-9]{1,7}$")
STATUSES = ("investigating", "fix-planned", "fixed")
FIXED = "fixed"
REQUIRED = ("id", "title", "product", "status", "workaround")
OPTIONAL = ("fixed_in", "versions", "language", "description")
# Written to the site folder's root by the site build (site_config/hooks/loket_known_issues.py).
CATALOG_FILE = "known-issues.json"
# A known issue's page on the site: /known-issues/PLN-142/, /nl/known-issues/PLN-142/.
PAGE_PATH = re.compile(r"^/(?:[a-z]{2}/)?known-issues/([A-Z][A-Z0-9]{0,9}-[0-9]{1,7})/$")


def suggestion_title(url: str, title: str, lang: str) -> str:
    """'Known issue PLN-142: <title>' for a known issue's page; other pages' titles as
    they are. The customer typing a subject sees the bug is known (and its workaround
    one click away) before filing it again."""
    found = PAGE_PATH.match(url)
    if found is None:
        return title
    # Translators: before a known issue's id in a suggestion: "Known issue PLN-142: <title>".
    label = pgettext_in(lang, "suggestion", "Known issue")
    return f"{label} {found.group(1)}: {title}"


@dataclass(frozen=True)
class Release:
    """The release note that fixes an issue: its title and its path on the site."""

    title: str
    url: str


@dataclass(frozen=True)
class KnownIssue:
    id: str
    product: str
    status: str
    # Per language the page's title and its path on the site ("/known-issues/PLN-142/").
    titles: Mapping[str, str]
    urls: Mapping[str, str]
    workaround: Mapping[str, str] = field(default_factory=dict)
    versions: tuple[str, ...] = ()
    fixed_in: str = ""             # the version the front matter names, if any
    release: Release | None = None  # the published release note that fixes it

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("en") or next(iter(self.titles.values()))

    def url(self, lang: str) -> str:
        return self.urls.get(lang) or self.urls.get("en") or next(iter(self.urls.values()))

    def workaround_in(self, lang: str) -> str:
        return self.workaround.get(lang) or self.workaround.get("en") or ""

    @property
    def fixed(self) -> bool:
        """Fixed in a published release: only then are linked customers told."""
        return self.release is not None


class KnownIssueMissing(LookupError):
    """No known issue with this id on the built site."""


@dataclass(frozen=True)
class Catalog:
    """The known issues the site was built with, by id."""

    issues: Mapping[str, KnownIssue] = field(default_factory=dict)

    def get(self, issue_id: str) -> KnownIssue:
        found = self.issues.get(str(issue_id).strip().upper())
        if found is None:
            raise KnownIssueMissing(issue_id)
        return found

    def for_product(self, product: str) -> list[KnownIssue]:
        return sorted((i for i in self.issues.values() if i.product in (product, "all")),
                      key=lambda issue: issue.id)

    def to_json(self) -> str:
        return json.dumps({"known_issues": [_issue_record(i) for i in
                                            sorted(self.issues.values(), key=lambda i: i.id)]},
                          ensure_ascii=False, sort_keys=True, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Catalog":
        records = json.loads(text).get("known_issues") or []
        return cls({r["id"]: _issue_from_record(r) for r in records})


EMPTY = Catalog()


def load_catalog(site_dir: Path) -> Catalog:
    """The site's catalog; an empty one when the site was built without known issues."""
    path = Path(site_dir) / CATALOG_FILE
    try:
        return Catalog.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return EMPTY


def check_front_matter(meta: Any, products: Iterable[str], file_id: str) -> list[str]:
    """What is wrong with a known issue page's front matter; empty when all is well.
    `file_id` is the id the file name gives (PLN-142.md, PLN-142.nl.md)."""
    if not isinstance(meta, dict):
        return [f"front matter is not a mapping of keys; it needs {', '.join(REQUIRED)}"]
    problems = [f"front matter has no '{key}'" for key in REQUIRED
                if meta.get(key) is None or str(meta.get(key)).strip() == ""]
    issue_id = str(meta.get("id") or "")
    if issue_id and not ISSUE_ID.match(issue_id):
        problems.append(f"front matter 'id' is '{issue_id}'; expected a prefix, a dash and "
                        "a number, such as PLN-142")
    elif issue_id and issue_id != file_id:
        problems.append(f"front matter 'id' is '{issue_id}' but the file is named {file_id}")
    allowed = (*products, "all")
    if meta.get("product") is not None and meta.get("product") not in allowed:
        problems.append(f"front matter 'product' is '{meta.get('product')}'; expected one "
                        f"of: {', '.join(allowed)}")
    if meta.get("status") is not None and meta.get("status") not in STATUSES:
        problems.append(f"front matter 'status' is '{meta.get('status')}'; expected one of: "
                        f"{', '.join(STATUSES)}")
    versions = meta.get("versions")
    if versions is not None and not (isinstance(versions, list)
                                     and all(isinstance(v, (str, int, float)) for v in versions)):
        problems.append("front matter 'versions' must be a list of versions")
    unknown = sorted(set(meta) - set(REQUIRED) - set(OPTIONAL) - {"tags", "search", "hide"})
    if unknown:
        problems.append(f"front matter has unknown keys: {', '.join(unknown)}")
    return problems


def fixes_of(meta: Any) -> list[str]:
    """The known issues a release note's front matter says it fixes (`fixes: [PLN-142]`)."""
    fixes = meta.get("fixes") if isinstance(meta, dict) else None
    if fixes is None:
        return []
    if isinstance(fixes, str):
        fixes = [fixes]
    return [str(f).strip() for f in fixes] if isinstance(fixes, list) else [str(fixes)]


def _issue_record(issue: KnownIssue) -> dict[str, Any]:
    record = asdict(issue)
    record["versions"] = list(issue.versions)
    return record


def _issue_from_record(record: Mapping[str, Any]) -> KnownIssue:
    release = record.get("release")
    return KnownIssue(id=record["id"], product=record["product"], status=record["status"],
                      titles=dict(record["titles"]), urls=dict(record["urls"]),
                      workaround=dict(record.get("workaround") or {}),
                      versions=tuple(record.get("versions") or ()),
                      fixed_in=record.get("fixed_in") or "",
                      release=Release(**release) if release else None)
