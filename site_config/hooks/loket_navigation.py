"""Small fixes to how pages lead to each other and are named:

- The tags index is a page to look things up in, not a step in reading: the footer's
  Previous/Next links skip it, so no page says "Previous: Tags" (issue #11).
- The home page's title is the site's name: the browser's title shows it once, not
  "Nordwind Support - Nordwind Support" (main.html reads `loket_title`).
"""

from __future__ import annotations

_SKIPPED = ("kb/tags.",)  # Source files the footer's links pass over (any language).


def _skipped(page) -> bool:
    return page is not None and page.file.src_uri.startswith(_SKIPPED)


def on_page_context(context, page, config, nav):
    while _skipped(page.previous_page):
        page.previous_page = page.previous_page.previous_page
    while _skipped(page.next_page):
        page.next_page = page.next_page.next_page
    title = page.meta.get("title") or page.title
    context["loket_title"] = (config["site_name"] if page.is_homepage or
                              title == config["site_name"] else None)
    return context
