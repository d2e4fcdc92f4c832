"""Clickable links in message text: the text is escaped first, then each http(s) URL in
it becomes a link that passes no referrer's trust on (rel="nofollow noopener")."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# Up to white space or a character that cannot end a URL in prose; the escaped text
# holds &lt; &gt; &quot; &#39; for < > " ', so an entity ends the URL too.
_URL = re.compile(r"\bhttps?://[^\s<>\"'&]+(?:&amp;[^\s<>\"'&]+)*")
_TRAILING = ".,;:!?)]}"


def linkify(text: object) -> Markup:
    escaped = str(escape("" if text is None else text))
    return Markup(_URL.sub(_link, escaped))


def _link(match: re.Match) -> str:
    url = match.group(0)
    # "See https://example.com/x." : the full stop ends the sentence, not the URL.
    trailing = ""
    # A closing parenthesis belongs to the URL only when it closes one of the URL's own.
    while url and url[-1] in _TRAILING and not (
            url[-1] == ")" and url.count(")") <= url.count("(")):
        trailing = url[-1] + trailing
        url = url[:-1]
    return f'<a href="{url}" rel="nofollow noopener">{url}</a>{trailing}'
