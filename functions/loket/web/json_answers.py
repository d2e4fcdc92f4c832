"""JSON answers (jsonify, a view's returned dict): Flask's, with one encoder per app.

Why: Flask's provider calls json.dumps with its settings on every answer, which builds
a JSONEncoder each time (some 30,000 instructions of a 95,000-instruction jsonify of a
ticket receipt). The encoder holds no state between calls, so the app keeps one, made
again only when the provider's settings change. Same bytes as Flask's
(tests/api/test_json_answers.py).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask.json.provider import DefaultJSONProvider


class OneEncoderJSONProvider(DefaultJSONProvider):
    _encoder: tuple[tuple, json.JSONEncoder] | None = None

    def response(self, *args: Any, **kwargs: Any) -> Response:
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)  # Indented: for people, not speed.
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(f"{self._compact_encoder().encode(obj)}\n",
                                        mimetype=self.mimetype)

    def _compact_encoder(self) -> json.JSONEncoder:
        """What DefaultJSONProvider.response has json.dumps make: its dumps' settings,
        compact separators."""
        settings = (self.default, self.ensure_ascii, self.sort_keys)
        if self._encoder is None or self._encoder[0] != settings:
            self._encoder = (settings, json.JSONEncoder(
                default=self.default, ensure_ascii=self.ensure_ascii,
                sort_keys=self.sort_keys, separators=(",", ":")))
        return self._encoder[1]
