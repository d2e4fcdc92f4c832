"""The app's URL rules build their URLs only when first asked (web/url_rules.py), and
build exactly the URLs werkzeug's own rules build, for every route of the app."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Map, PathConverter, Rule

from loket.web.url_rules import BuilderOnFirstUseRule


def sample_values(rule: Rule) -> dict:
    """A value for each part of the rule, with characters that must be quoted."""
    def sample(converter):
        if isinstance(converter, IntegerConverter):
            return 7
        return "a b/c" if isinstance(converter, PathConverter) else "x y&z"

    return {name: sample(converter) for name, converter in rule._converters.items()}


def key(rule: Rule) -> tuple:
    return rule.rule, rule.endpoint, tuple(sorted(rule.methods or ()))


def werkzeugs_own(app) -> Map:
    """The app's rules as werkzeug's own Rule, on a map with the app's converters."""
    return Map([Rule(r.rule, endpoint=r.endpoint, defaults=r.defaults, methods=r.methods,
                     strict_slashes=r.strict_slashes, subdomain=r.subdomain, host=r.host)
                for r in app.url_map.iter_rules()],
               converters=app.url_map.converters)


def test_every_rule_of_the_app_builds_its_builders_on_first_use(app):
    rules = list(app.url_map.iter_rules())
    assert rules and all(type(r) is BuilderOnFirstUseRule for r in rules)
    assert all(r._build.__name__ == "build_on_first_use" for r in rules)


@pytest.mark.parametrize("append_unknown", [False, True])
def test_every_route_builds_the_url_werkzeug_builds(app, append_unknown):
    own = {key(r): r for r in werkzeugs_own(app).iter_rules()}
    ours = list(app.url_map.iter_rules())
    for rule in ours:
        values = sample_values(rule)
        if append_unknown:
            values["q"] = "a b"  # Not a part of the rule: werkzeug appends it as a query.
        expected = own[key(rule)].build(values, append_unknown=append_unknown)
        assert rule.build(values, append_unknown=append_unknown) == expected, rule.rule
        # The second time, werkzeug's own builder answers (it replaced the first-use one).
        assert rule.build(values, append_unknown=append_unknown) == expected, rule.rule
    replaced = "_build_unknown" if append_unknown else "_build"
    assert not [r.rule for r in ours if getattr(r, replaced).__name__ == "build_on_first_use"]


def test_url_for_answers_as_before(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("api.get_ticket", number=12) == "/api/tickets/12"
        assert url_for("api.get_ticket", number=12, token="a b") == "/api/tickets/12?token=a+b"
