"""Every URL the Flask app serves reaches the http function in the packaged template,
by CloudFront and by the HTTP API; every other path is the site bucket's.

The paths come from `app.url_map` (create_app), so a new blueprint whose prefix the
stack does not route fails here, before agents meet the site bucket's 404.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

import pytest
from flask import Blueprint

from tests.deploy.cloudformation import Stack
from tests.paths import ROOT

pytestmark = pytest.mark.slow

HTTP_HANDLER = "loket.handlers.http.handle"


@pytest.fixture
def app(tmp_path):
    from loket.settings import Settings
    from loket.web.app import create_app

    settings = Settings(sqlite_path=tmp_path / "loket.db", site_dir=tmp_path / "no-site",
                        outbox_dir=tmp_path / "outbox", blob_dir=tmp_path / "blobs")
    return create_app(settings, serve_site=False)


def sample_path(rule: str) -> str:
    """A concrete URL for a Flask rule: <int:n> -> 1, <path:p> -> a/b, <x> -> x."""
    rule = re.sub(r"<int:[^>]+>", "1", rule)
    rule = re.sub(r"<path:[^>]+>", "a/b", rule)
    return re.sub(r"<[^>]+>", "x", rule)


def app_paths(app) -> list[str]:
    return sorted({sample_path(rule.rule) for rule in app.url_map.iter_rules()})


def site_paths() -> list[str]:
    """What the static site publishes: a page per Markdown file under docs/, its
    assets, the Dutch copy, the home page."""
    paths = {"/", "/404.html", "/assets/stylesheets/main.css", "/nl/", "/search/"}
    for page in (ROOT / "docs").rglob("*.md"):
        relative = page.relative_to(ROOT / "docs").with_suffix("")
        parts = [p for p in relative.parts if p != "index"]
        paths.add("/" + "/".join(parts) + ("/" if parts else ""))
    return sorted(paths)


# -- CloudFront ------------------------------------------------------------------------------

def cloudfront_origin(stack: Stack, path: str) -> str:
    """What CloudFront does: the first cache behavior whose pattern matches, else the
    default; returns "app" for the HTTP API's origin, "site" for the bucket's."""
    [distribution] = stack.of_type("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    target = config["DefaultCacheBehavior"]["TargetOriginId"]
    for behavior in config.get("CacheBehaviors", []):
        if fnmatchcase(path, behavior["PathPattern"]):
            target = behavior["TargetOriginId"]
            break
    [origin] = [o for o in config["Origins"] if o["Id"] == target]
    return origin_kind(stack, origin)


def origin_kind(stack: Stack, origin: dict) -> str:
    domain = origin["DomainName"]
    refs = set(re.findall(r"\$\{(\w+)", domain["Fn::Sub"])) if "Fn::Sub" in domain else set()
    if "Fn::GetAtt" in domain:
        refs.add(domain["Fn::GetAtt"][0])
    kinds = {stack.resources[r]["Type"] for r in refs if r in stack.resources}
    if "AWS::ApiGatewayV2::Api" in kinds:
        return "app"
    if "AWS::S3::Bucket" in kinds:
        return "site"
    return f"unknown origin {origin['Id']}"


# -- HTTP API ----------------------------------------------------------------------------------

def route_matches(route_key: str, method: str, path: str) -> bool:
    if route_key == "$default":
        return True
    route_method, _, route_path = route_key.partition(" ")
    if route_method not in ("ANY", method):
        return False
    pattern = "".join(
        "(?:/.+)" if part == "/{proxy+}" or part.endswith("+}") else
        "/[^/]+" if part.startswith("/{") else re.escape(part)
        for part in re.findall(r"/[^/]*", route_path))
    return re.fullmatch(pattern or "/", path) is not None


def api_function(stack: Stack, method: str, path: str) -> str | None:
    """The handler of the function the HTTP API sends this request to (the most
    specific route wins; $default last), or None."""
    routes = stack.of_type("AWS::ApiGatewayV2::Route").values()
    matching = [r["Properties"] for r in routes
                if route_matches(r["Properties"]["RouteKey"], method, path)]
    if not matching:
        return None
    best = min(matching, key=lambda r: (r["RouteKey"] == "$default",
                                        -len(r["RouteKey"])))
    integration_id = best["Target"]["Fn::Join"][1][1]["Ref"]
    integration = stack.resources[integration_id]["Properties"]
    function = integration["IntegrationUri"]["Fn::GetAtt"][0]
    return stack.resources[function]["Properties"]["Handler"]


def unrouted(app, stack: Stack) -> list[str]:
    problems = []
    for path in app_paths(app):
        for rule in app.url_map.iter_rules():
            if sample_path(rule.rule) == path:
                methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
                break
        if cloudfront_origin(stack, path) != "app":
            problems.append(f"CloudFront sends {path} to the site bucket")
        for method in methods:
            handler = api_function(stack, method, path)
            if handler != HTTP_HANDLER:
                problems.append(f"the HTTP API sends {method} {path} to {handler}")
    return problems


def test_every_path_of_the_app_reaches_the_http_function(app, stack):
    assert app_paths(app), "the app serves no URL at all"
    assert unrouted(app, stack) == []


def test_a_new_blueprint_without_a_route_is_caught(app, stack):
    extra = Blueprint("reports", __name__, url_prefix="/reports")
    extra.add_url_rule("/weekly", "weekly", lambda: "")
    app.register_blueprint(extra)
    assert unrouted(app, stack) == ["CloudFront sends /reports/weekly to the site bucket"]


def test_every_other_path_is_the_site_buckets(app, stack):
    prefixes = {"/" + path.split("/")[1] for path in app_paths(app)}
    for path in site_paths():
        assert not any(path == p or path.startswith(p + "/") for p in prefixes), (
            f"the site's {path} is under a prefix the app serves")
        assert cloudfront_origin(stack, path) == "site", path

