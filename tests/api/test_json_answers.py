"""JSON answers are Flask's, byte for byte (web/json_answers.py keeps one encoder)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID

from flask import Flask
from flask.json.provider import DefaultJSONProvider
import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from loket.web.json_answers import OneEncoderJSONProvider

SAMPLES = [{"number": 7, "subject": "Export fails", "status": {"label": "Nieuw", "id": "new"}},
           {"b": [1, 2.5, None, True], "a": "ünïcode \u2028 <script>", "z": {}},
           [datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc), date(2026, 1, 2),
            UUID(int=5)], "text", 3, None, float("nan")]


def answers(provider_class, debug=False, **settings):
    app = Flask(__name__)
    app.debug = debug
    app.json = provider_class(app)
    for name, value in settings.items():
        setattr(app.json, name, value)
    with app.app_context():
        return [(r.status, list(r.headers), r.data)
                for r in (app.json.response(sample) for sample in SAMPLES)]


def test_the_same_bytes_and_headers_as_flasks_provider():
    for settings in ({}, {"ensure_ascii": False}, {"sort_keys": False}, {"compact": False}):
        assert (answers(OneEncoderJSONProvider, **settings) ==
                answers(DefaultJSONProvider, **settings)), settings
    assert answers(OneEncoderJSONProvider, debug=True) == answers(DefaultJSONProvider, debug=True)


def test_a_changed_setting_takes_effect():
    app = Flask(__name__)
    app.json = OneEncoderJSONProvider(app)
    with app.app_context():
        assert app.json.response({"b": 1, "a": "é"}).data == b'{"a":"\\u00e9","b":1}\n'
        app.json.sort_keys, app.json.ensure_ascii = False, False
        assert app.json.response({"b": 1, "a": "é"}).data == '{"b":1,"a":"é"}\n'.encode()


# -- Property: any answer, with settings changed between answers ------------------------
#
# The same provider pair answers a run of drawn objects while its settings change
# between answers (sort_keys, ensure_ascii, compact, debug, default, mimetype), so an
# encoder kept from earlier settings would show; Flask's DefaultJSONProvider is the
# general path every answer must equal, byte for byte, errors included.

_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec=None, categories=None), max_size=6),
    st.sampled_from(["é", "\u2028", "<script>", "\U0001f600", "\ud800", ""]),
    st.datetimes(timezones=st.sampled_from([timezone.utc])), st.dates(),
    st.integers(0, 2**128).map(lambda n: UUID(int=n)), st.just(Decimal("1.10")),
    st.just(object()))
_objects = st.recursive(_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner, inner),
    st.dictionaries(st.text(max_size=3), inner, max_size=3),
    st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none(), st.floats()),
                    inner, max_size=2)), max_leaves=8)
_changes = st.fixed_dictionaries({}, optional={
    "sort_keys": st.booleans(), "ensure_ascii": st.booleans(),
    "compact": st.sampled_from([None, True, False]), "debug": st.booleans(),
    "default": st.sampled_from([DefaultJSONProvider.default, staticmethod(repr).__func__]),
    "mimetype": st.sampled_from(["application/json", "application/problem+json"])})


def _answer(app, args, kwargs):
    with app.app_context():
        try:
            response = app.json.response(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            return type(exc).__name__, str(exc)
        return response.status, list(response.headers), response.data


@hypothesis.settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(st.tuples(_changes, _objects, st.booleans()), min_size=1, max_size=5))
def test_any_answer_is_flasks_whatever_the_settings_were_before(rounds):
    apps = []
    for provider_class in (OneEncoderJSONProvider, DefaultJSONProvider):
        app = Flask(__name__)
        app.json = provider_class(app)
        apps.append(app)
    for changes, obj, as_keywords in rounds:
        for app in apps:
            app.debug = changes.get("debug", app.debug)
            for name, value in changes.items():
                if name != "debug":
                    setattr(app.json, name, value)
        # jsonify(a=1, b=2) and jsonify(1, 2) build the object from their arguments.
        args, kwargs = ((), {"a": obj, "b": 1}) if as_keywords else ((obj,), {})
        assert _answer(apps[0], args, kwargs) == _answer(apps[1], args, kwargs)
