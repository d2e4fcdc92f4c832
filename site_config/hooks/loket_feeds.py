"""Puts right what the RSS plugin writes for a feed with no image: it writes the
`<image>` element anyway, with `<url>None</url>`, which feed readers fetch (and
validators refuse). Runs after the plugin: MkDocs calls hooks after the plugins."""

from __future__ import annotations

import re
from pathlib import Path

# The <image> element whose <url> is the plugin's "None".
_EMPTY_IMAGE = re.compile(r"\s*<image>\s*<url>None</url>.*?</image>", re.DOTALL)


def on_post_build(config) -> None:
    for feed in Path(config["site_dir"]).glob("feed_rss_*.xml"):
        text = feed.read_text(encoding="utf-8")
        fixed = _EMPTY_IMAGE.sub("", text)
        if fixed != text:
            feed.write_text(fixed, encoding="utf-8")
