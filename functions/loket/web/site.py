"""Serving the built MkDocs site from the same origin, for local runs.

In AWS, CloudFront serves the site from S3 and only /api/ and /portal/ reach Flask.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from werkzeug.security import safe_join

bp = Blueprint("site", __name__)


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def serve(path: str):
    site_dir: Path = current_app.config["LOKET_SITE_DIR"]
    target = safe_join(str(site_dir), path)
    # The API's own paths are never pages: an unknown one is a problem+json 404.
    if target is None or path == "api" or path.startswith("api/"):
        abort(404)
    if Path(target).is_dir():
        path = f"{path.rstrip('/')}/index.html".lstrip("/")
    if not (site_dir / path).is_file():
        return not_found(site_dir)
    return send_from_directory(site_dir, path, max_age=300)


def not_found(site_dir: Path):
    page = site_dir / "404.html"
    if page.is_file():
        return send_from_directory(site_dir, "404.html"), 404
    abort(404)
