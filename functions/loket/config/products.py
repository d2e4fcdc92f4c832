"""Adding a product to site_config/portal.yml from the CLI.

Products stay configuration: the static ticket form lists them at build time, mail in
and the knowledge base name them, and the server validates against the same list. So
`loket products add` writes the product into portal.yml (keeping its comments and
layout), checks the whole configuration, and puts the file back as it was when the
result is not valid. Commit the change and rebuild the site, as for any config change.
"""

from __future__ import annotations

import json
from pathlib import Path

from loket.config.loader import ConfigError, load_portal_config


def add_product(config_dir: Path, product_id: str, *, name_en: str, name_nl: str,
                review_board: str | None = None) -> Path:
    """Append the product to portal.yml's `products:` list; ConfigError (and the file
    unchanged) when the id is taken or anything else makes the config invalid."""
    path = config_dir / "portal.yml"
    original = path.read_text(encoding="utf-8")
    config = load_portal_config(config_dir)
    if product_id in config.products:
        raise ConfigError(f"{path}: product '{product_id}' exists already")
    lines = original.splitlines(keepends=True)
    end = _end_of_products(lines, path)
    # JSON strings are valid YAML double-quoted scalars: any name is written safely.
    entry = [f"  - id: {json.dumps(product_id)}\n",
             f"    name: {{en: {json.dumps(name_en)}, nl: {json.dumps(name_nl)}}}\n"]
    if review_board:
        entry.append(f"    review_board: {json.dumps(review_board)}\n")
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    path.write_text("".join(lines[:end] + entry + lines[end:]), encoding="utf-8")
    try:
        load_portal_config(config_dir)
    except ConfigError:
        path.write_text(original, encoding="utf-8")
        raise
    return path


def _end_of_products(lines: list[str], path: Path) -> int:
    """The index after the last line of the top-level `products:` block (its last
    non-blank, non-comment line), where a new entry goes."""
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "products:"), None)
    if start is None:
        raise ConfigError(f"{path}: no top-level 'products:' list to add to")
    last = start
    for i in range(start + 1, len(lines)):
        text = lines[i]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if not text[0].isspace() and not text.startswith("-"):
            break  # The next top-level key.
        last = i
    return last + 1
