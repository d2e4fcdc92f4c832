"""Leave out of the Lambda zip what Loket never runs there (used by build_lambda_package.py).

Standard library only, like the build script. What goes, and why:

* distributions the functions never import: waitress (`loket serve`'s server; Lambda
  runs the app through apig-wsgi) and dnspython (email-validator's deliverability
  check, which Loket never asks for: it validates syntax only);
* whoosh-ng's extras: the `whoosh_modern` layer and the vector, backend, plugin and
  middleware packages behind optional dependencies; the index is opened and searched
  with the classic `whoosh` modules only;
* Pillow's codecs beyond the thumbnails' PNG, JPEG, GIF and WebP (domain/thumbnails.py
  opens only those): the other format plugins, and the AVIF, colour-management, font,
  Tk and image-math extensions with the libraries only they load;
* holidays' countries and translations other than the calendars site_config/ names
  (`calendar: holidays: NL`); its package imports every country it lists, so the list
  is rewritten to the countries kept (the zip is rebuilt whenever site_config changes).

`check()` then runs the trimmed tree with the runtime's CPython: thumbnails of every
kept format, every kept country's holidays, a query on the shipped search index, and
the precompiled configuration still matching its files.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

# Distribution name: why Lambda never imports it.
NOT_FOR_LAMBDA = {
    "waitress": "the local server of `loket serve`",
    "dnspython": "email-validator's deliverability check, never asked for",
}
WHOOSH_EXTRAS = [
    "whoosh_modern", "whoosh/backends", "whoosh/plugins", "whoosh/registry",
    "whoosh/middleware", "whoosh/vector", "whoosh/providers", "whoosh/utils",
    "whoosh/async_writer.py", "whoosh/multiproc.py", "whoosh/support/bench.py",
    "whoosh/lang/wordnet.py",
]
# The image formats the thumbnails decode, and the plugins those import in turn
# (JPEG reads EXIF through TIFF's, and may be an MPO).
PILLOW_PLUGINS = {"Png", "Jpeg", "Gif", "WebP", "Tiff", "Mpo"}
PILLOW_EXTENSIONS = ["_avif", "_imagingcms", "_imagingft", "_imagingtk", "_imagingmath",
                     "_imagingmorph"]
# Libraries in pillow.libs that only the extensions above load (_imaging needs jpeg,
# tiff, openjp2, xcb; _webp the webp family): check() proves the rest still loads.
PILLOW_ONLY_FOR_EXTENSIONS = ["libavif", "liblcms2", "libfreetype", "libharfbuzz",
                              "libbrotlicommon", "libbrotlidec", "libpng16"]
_HOLIDAYS = re.compile(r"^\s*holidays:\s*['\"]?([A-Z]{2})['\"]?\s*(#.*)?$", re.MULTILINE)


def trim(site: Path, config_dir: Path, remove_dist) -> dict[str, list[str]]:
    """Trim the installed tree `site`; `remove_dist(site, dist_info)` removes a whole
    distribution. Returns what was left out, for the manifest."""
    left_out = {"distributions": [], "paths": []}
    for dist_info in sorted(site.glob("*.dist-info")):
        name = dist_info.name.split("-")[0].lower().replace("_", "-")
        if name in NOT_FOR_LAMBDA:
            remove_dist(site, dist_info)
            left_out["distributions"].append(name)
    paths = WHOOSH_EXTRAS + _pillow_unused(site) + _holidays_unused(site, config_dir)
    left_out["paths"] = [p for p in paths if _remove(site / p)]
    _rewrite_country_list(site, countries_in_use(config_dir))
    _fix_records(site)
    return left_out


def countries_in_use(config_dir: Path) -> list[str]:
    """The country codes of every calendar in site_config (`holidays: NL`), presets too:
    the portal may be switched to any preset the zip carries."""
    found = set()
    for path in sorted(config_dir.rglob("*.y*ml")):
        found.update(m.group(1) for m in _HOLIDAYS.finditer(path.read_text(encoding="utf-8")))
    return sorted(found)


def _pillow_unused(site: Path) -> list[str]:
    pil = site / "PIL"
    paths = [f"PIL/{p.name}" for p in sorted(pil.glob("*ImagePlugin.py"))
             if p.name[:-len("ImagePlugin.py")] not in PILLOW_PLUGINS]
    paths += [f"PIL/{p.name}" for name in PILLOW_EXTENSIONS for p in sorted(pil.glob(f"{name}.*"))]
    paths += [f"pillow.libs/{p.name}" for name in PILLOW_ONLY_FOR_EXTENSIONS
              for p in sorted((site / "pillow.libs").glob(f"{name}-*"))]
    return paths


def _country_modules(site: Path) -> dict[str, str]:
    """holidays' own table of country code -> module (registry.COUNTRIES), read without
    importing it."""
    tree = ast.parse((site / "holidays" / "registry.py").read_text(encoding="utf-8"))
    for node in tree.body:
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(target, ast.Name) and target.id == "COUNTRIES":
            table = ast.literal_eval(node.value)
            return {code: module for module, names in table.items() for code in names[1:]}
    raise SystemExit("lambda_trim: holidays/registry.py has no COUNTRIES table any more")


def _holidays_unused(site: Path, config_dir: Path) -> list[str]:
    codes = countries_in_use(config_dir)
    modules = _country_modules(site)
    unknown = [c for c in codes if c not in modules]
    if unknown:
        raise SystemExit(f"lambda_trim: the holidays package knows no country {unknown}")
    keep = {modules[c] for c in codes}
    aliases = {code for code, module in modules.items() if module in keep}
    paths = [f"holidays/countries/{p.name}" for p in sorted((site / "holidays/countries").glob("*.py"))
             if p.stem != "__init__" and p.stem not in keep]
    paths += ["holidays/financial"]
    paths += [p.relative_to(site).as_posix() for p in sorted((site / "holidays/locale").rglob("*"))
              if p.is_file() and p.stem not in aliases]
    return paths


def _rewrite_country_list(site: Path, codes: list[str]) -> None:
    """holidays/countries/__init__.py imports every country it ships: keep the lines of
    the countries kept, so importing one country does not import two hundred."""
    init = site / "holidays" / "countries" / "__init__.py"
    modules = _country_modules(site)
    keep = {modules[c] for c in codes}
    text = init.read_text(encoding="utf-8")
    tree = ast.parse(text)
    tree.body = [node for node in tree.body if not (
        isinstance(node, ast.ImportFrom) and (node.module or "").startswith("holidays.countries.")
        and node.module.rsplit(".", 1)[1] not in keep)]
    licence = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    init.write_text(licence + "\n# Only the countries of site_config's calendars "
                    "(tools/lambda_trim.py).\n" + ast.unparse(tree) + "\n", encoding="utf-8")


def _remove(path: Path) -> bool:
    if path.is_dir():
        shutil.rmtree(path)
        return True
    if path.exists():
        path.unlink()
        return True
    return False


def _fix_records(site: Path) -> None:
    """Every RECORD lists what is there, with the hash of what is there: rows of removed
    files go, and rewritten files get their new hash."""
    for record in sorted(site.glob("*.dist-info/RECORD")):
        rows = []
        for row in record.read_text(encoding="utf-8").splitlines():
            path, _, rest = row.partition(",")
            target = site / path
            if path.endswith("/RECORD") or ".dist-info/" in path or ".." in path:
                rows.append(row)
            elif target.is_file():
                digest = rest.partition(",")[0]
                rows.append(f"{path},{_hash(target)},{target.stat().st_size}" if digest else row)
        record.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    for folder in sorted((p for p in site.rglob("*") if p.is_dir()),
                         key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def _hash(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


CHECK = textwrap.dedent("""
    import io, sys
    sys.path[:0] = [{site!r}]
    from PIL import Image
    from loket.domain.thumbnails import FORMATS, make_thumbnail
    for fmt in FORMATS:
        out = io.BytesIO()
        Image.new("RGB", (640, 400), "red").save(out, fmt)
        assert make_thumbnail(out.getvalue()) is not None, fmt
    from pathlib import Path
    import holidays
    for code in {countries!r}:
        assert len(holidays.country_holidays(code, years=2026)) > 0, code
    import os
    if os.path.isdir({index!r}):
        from loket.search.query import WhooshSearcher
        WhooshSearcher(Path({index!r})).suggest("export", lang="en")
    from loket.config.compiled import load_compiled
    assert load_compiled(Path({site!r}) / "site_config") is not None, "stale compiled config"
    loaded = sorted(m for m in sys.modules if m.startswith(("whoosh_modern", "dns", "waitress")))
    assert not loaded, loaded
    print("ok")
""")


def check(py: str, site: Path, config_dir: Path, index: Path) -> None:
    """Run the trimmed tree with the runtime's CPython, isolated from this machine's
    site-packages and writing no bytecode (the zip keeps the build's)."""
    script = CHECK.format(site=str(site), countries=countries_in_use(config_dir),
                          index=str(index))
    result = subprocess.run([py, "-I", "-S", "-B", "-c", script], cwd=site,
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or "ok" not in result.stdout:
        raise SystemExit("lambda_trim: the trimmed package does not run:\n"
                         + result.stdout + result.stderr)
