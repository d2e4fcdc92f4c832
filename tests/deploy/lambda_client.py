"""A browser's requests as API Gateway (HTTP API, payload 2.0) events to a Lambda
handler: cookies kept between requests, forms and JSON encoded, answers decoded."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Callable
from urllib.parse import urlencode, urlsplit

from tests.aws.conftest import http_event

HOST = "d111111abcdef8.cloudfront.net"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def csrf(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.text)
        assert found, self.text[:2000]
        return found.group(1)


@dataclass
class LambdaClient:
    handle: Callable[[dict, Any], dict]
    source_ip: str = "203.0.113.9"
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def get(self, url: str, **kwargs) -> Answer:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, *, form: dict | None = None, json_body: Any = None,
             **kwargs) -> Answer:
        headers = dict(kwargs.pop("headers", {}) or {})
        body = None
        if form is not None:
            body = urlencode(form)
            headers["content-type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body)
            headers["content-type"] = "application/json"
        return self.request("POST", url, body=body, headers=headers, **kwargs)

    def request(self, method: str, url: str, *, body: str | None = None,
                headers: dict | None = None) -> Answer:
        parts = urlsplit(url)
        event = http_event(method, parts.path, query=parts.query, body=body,
                           headers={"host": HOST, "x-forwarded-proto": "https",
                                    **self.headers, **(headers or {})})
        event["requestContext"]["http"]["sourceIp"] = self.source_ip
        if self.cookies:
            event["cookies"] = [f"{k}={v}" for k, v in self.cookies.items()]
        response = self.handle(event, None)
        self._keep_cookies(response)
        raw = response.get("body") or ""
        data = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode()
        return Answer(response["statusCode"],
                      {k.lower(): v for k, v in (response.get("headers") or {}).items()}, data)

    def _keep_cookies(self, response: dict) -> None:
        for line in response.get("cookies") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
