"""The app's URL rules: werkzeug's, with their URL builders made on first use.

Why: werkzeug makes two URL-building functions for every rule as the rule is added (a
syntax tree put through Python's compiler each, some 0.3 ms a rule), though url_for
only ever builds a few of the app's URLs. At a Lambda cold start that cost is paid for
every route the app has before the first request is answered. Matching requests is not
affected: it is compiled from the rule's parts, not from its builders.
"""

from __future__ import annotations

from typing import Any, Callable

from werkzeug.routing import Rule


class BuilderOnFirstUseRule(Rule):
    """A Rule whose URL builders are compiled by werkzeug when the rule is first built
    from (url_for), each replacing itself with werkzeug's own. The URLs are werkzeug's:
    tests/web/test_url_rules.py holds them alike for every route of the app."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        # werkzeug's Rule.compile binds what this returns to the rule as _build
        # (append_unknown False) or _build_unknown (True), and Rule.build calls it.
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: Rule, **values: Any) -> tuple[str, str]:
            builder = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(**values)

        return build_on_first_use
