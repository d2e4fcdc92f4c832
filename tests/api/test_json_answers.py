"""JSON answers are Flask's, byte for byte (web/json_answers.py keeps one encoder)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import UUID

from flask import Flask
from flask.json.provider import DefaultJSONProvider

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
