"""MkDocs hook: the site in English and Dutch, with the release notes in English only.

mkdocs-static-i18n (the `i18n` plugin) builds the site once per language: English at /,
Dutch under /nl/, taking page.nl.md instead of page.md where it exists and the English
page where it does not. Material's blog plugin, which makes the release notes, does not
survive that as it comes: i18n makes every documentation file anew after the blog has
turned its files into posts and views, so the posts silently vanish and the archive and
category pages (generated in a temporary folder) are dropped with a warning. And a blog
built once per language would write every language's views to the same place.

So the release notes are published in English only:

- In the English build the blog's own files (its index, posts and generated views) are
  set aside while i18n sorts the files, and put back after it, untouched.
- In the other languages' builds the blog and the RSS feed are switched off and the
  posts left out; docs/release-notes/index.<lang>.md says where the notes are.
- On release-note pages the language switcher leads to that page.

On the shell for the server's own pages the switcher leads to each language's home.

Without the i18n plugin in mkdocs.yml this hook does nothing.
"""

from __future__ import annotations

import posixpath

from mkdocs.plugins import CombinedEvent, event_priority

BLOG = "material/blog"
I18N = "i18n"
# Plugins that write one thing for the whole site, so only the default language's build runs them.
DEFAULT_LANGUAGE_ONLY = (BLOG, "rss")
_aside: list = []


def current_language(config) -> str:
    """The language being built: i18n's, else the theme's."""
    i18n = config.plugins.get(I18N)
    if i18n is None:
        return config.theme.get("language") or "en"
    return i18n.current_language or i18n.default_language


def is_default_language(config) -> bool:
    i18n = config.plugins.get(I18N)
    return i18n is None or current_language(config) == i18n.default_language


# Before the plugins' own on_config, which a switched-off plugin skips (the RSS plugin
# would otherwise parse its settings a second time, and warn).
@event_priority(100)
def on_config(config, **kwargs):
    default = is_default_language(config)
    for name in DEFAULT_LANGUAGE_ONLY:
        plugin = config.plugins.get(name)
        if plugin is None:
            continue
        # One config serves every language's build: remember what mkdocs.yml said.
        if not hasattr(plugin, "_loket_enabled"):
            plugin._loket_enabled = plugin.config.enabled
        plugin.config.enabled = plugin._loket_enabled and default
    return config


def _posts_dir(blog) -> str:
    root = posixpath.normpath(blog.config.blog_dir)
    return posixpath.normpath(blog.config.post_dir.format(blog=root)) + "/"


def _is_blog_file(file) -> bool:
    from material.plugins.blog.structure import Post, View

    return isinstance(file.page, (Post, View)) or getattr(file, "generated_by", None) == BLOG


# After the blog plugin (-50) made its posts and views, before i18n (-100) sorts the files.
@event_priority(-75)
def _set_blog_aside(files, config, **kwargs):
    _aside.clear()
    blog = config.plugins.get(BLOG)
    if config.plugins.get(I18N) is None or blog is None:
        return files
    if not is_default_language(config):
        posts = _posts_dir(blog)
        for file in [f for f in files.documentation_pages() if f.src_uri.startswith(posts)]:
            files.remove(file)
        return files
    if blog.config.enabled:
        _aside.extend(f for f in files if _is_blog_file(f))
        for file in _aside:
            files.remove(file)
    return files


# After i18n: the blog's files go back as the blog made them, marked as the current
# language's only version (i18n's page context and sitemap read these attributes).
@event_priority(-150)
def _put_blog_back(files, config, **kwargs):
    language = current_language(config)
    for file in _aside:
        file.locale = file.locale_alternate_of = language
        file.alternates = {language: file}
        files.append(file)
    _aside.clear()
    return files


on_files = CombinedEvent(_set_blog_aside, _put_blog_back)


SHELL_TEMPLATE = "loket-shell.html"


# After i18n (50) pointed the switcher at the page's translations. A release note has
# none, so each other language's entry leads to that language's release-notes page. The
# shell for the server's pages (docs/support/page.md) is empty on its own, so there
# every entry leads to that language's home page.
@event_priority(0)
def on_page_context(context, page, config, nav, **kwargs):
    i18n, blog = config.plugins.get(I18N), config.plugins.get(BLOG)
    if i18n is None:
        return context
    # i18n sets the page's switcher as an attribute of `extra`, which templates read first.
    alternates = getattr(config.extra, "alternate", None) or config.extra.get("alternate") or []
    if page.meta.get("template") == SHELL_TEMPLATE:
        homes = {alt.get("lang"): alt.get("link") for alt in i18n.extra_alternate or []}
        for alternate in alternates:
            alternate["link"] = homes.get(alternate.get("lang"), alternate.get("link"))
    elif blog is not None and blog.config.enabled and _is_blog_file(page.file):
        language = current_language(config)
        notes = posixpath.normpath(blog.config.blog_dir) + "/"
        for alternate in alternates:
            if alternate.get("lang") != language and alternate.get("link", "").endswith("/"):
                alternate["link"] = alternate["link"] + notes
    return context
