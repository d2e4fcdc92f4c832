"""The API app (create_api_app), which the Lambda handler answers /api/ with so that a
cold submission imports no page views (web/prefix_dispatch.py), answers /api/ as the
whole app does: the same routes, the same app-wide hooks, the same answers."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from loket.settings import Settings
from loket.web.app import create_api_app, create_app
from loket.web.prefix_dispatch import API_PREFIX, PrefixDispatch
from tests.api.conftest import VALID
from tests.paths import SITE_CONFIG

HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
         "url_value_preprocessors", "url_default_functions", "template_context_processors")


@pytest.fixture
def settings(tmp_path):
    return Settings(site_dir=tmp_path / "no-site", config_dir=SITE_CONFIG)


def routes(app, keep=lambda rule: True) -> list[tuple]:
    return sorted((r.rule, r.endpoint, tuple(sorted(r.methods or ())),
                   tuple(sorted((r.defaults or {}).items())), r.strict_slashes)
                  for r in app.url_map.iter_rules() if keep(r.rule))


def names(functions) -> list[str]:
    return [f"{f.__module__}.{f.__qualname__}" for f in functions]


def test_the_api_app_has_exactly_the_whole_apps_api_routes(settings, services):
    whole = create_app(settings, services=services, serve_site=False)
    api = create_api_app(settings, services)
    assert routes(api) == routes(whole, lambda rule: rule.startswith(API_PREFIX)), (
        "a blueprint under /api/ is missing from web/app.py's API_BLUEPRINTS, or one "
        "there has a route outside /api/")
    assert api.url_map.converters == whole.url_map.converters


def test_the_api_app_has_the_whole_apps_hooks_and_error_handlers(settings, services):
    whole = create_app(settings, services=services, serve_site=False)
    api = create_api_app(settings, services)
    scopes = [None, *api.blueprints]
    for hook in HOOKS:
        for scope in scopes:
            assert (names(getattr(api, hook).get(scope, ())) ==
                    names(getattr(whole, hook).get(scope, ()))), (hook, scope)
    for scope in scopes:
        api_handlers, whole_handlers = (
            {code: {cls: names([f])[0] for cls, f in by_class.items()}
             for code, by_class in app.error_handler_spec.get(scope, {}).items()}
            for app in (api, whole))
        assert api_handlers == whole_handlers, scope
    assert {k: v for k, v in api.config.items()} == {k: v for k, v in whole.config.items()}


def test_a_page_first_builds_only_the_whole_app(settings, services):
    built = []
    dispatch = PrefixDispatch(lambda: built.append("api"),
                              lambda: built.append("all") or create_app(
                                  settings, services=services, serve_site=False))
    client = Client(dispatch)
    assert client.get("/portal/login").status_code == 200
    assert client.post("/api/tickets", json=VALID).status_code == 201
    assert built == ["all"]


def test_the_dispatch_builds_the_whole_app_only_for_a_page(settings, services):
    built = []

    def maker(name, make):
        return lambda: built.append(name) or make()

    dispatch = PrefixDispatch(
        maker("api", lambda: create_api_app(settings, services)),
        maker("all", lambda: create_app(settings, services=services, serve_site=False)))
    client = Client(dispatch)
    submitted = client.post("/api/tickets", json=VALID, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert submitted.status_code == 201
    number, token = submitted.json["number"], submitted.json["token"]
    assert client.get(f"/api/tickets/{number}?token={token}").status_code == 200
    assert client.get("/api/no-such-thing").status_code == 404
    assert built == ["api"]
    page = client.get(f"/portal/tickets/{number}?token={token}")
    assert page.status_code == 200 and VALID["subject"] in page.text
    assert client.post("/api/tickets", json={}).status_code == 422
    assert built == ["api", "all"]
