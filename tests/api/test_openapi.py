"""The OpenAPI document tells the truth: every route is in it, every answer fits it."""

from __future__ import annotations

import re
import pytest
import yaml
import json

from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder

from loket.config import load_portal_config
from loket.web.openapi import document
from tests.api.conftest import VALID
from tests.paths import SITE_CONFIG

# The document as served: the template filled in from the configuration the tests use.
SPEC = document(load_portal_config(SITE_CONFIG))
UNDOCUMENTED = {"/api/openapi.yaml"}  # The document itself.


@pytest.fixture(scope="module")
def openapi():
    # Problem details are JSON too; openapi-core must be told so.
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(SPEC, config=config)  # Validates the document on the way.


def test_every_api_route_is_documented_and_nothing_more(app):
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes - UNDOCUMENTED == set(SPEC["paths"])
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        if path in SPEC["paths"]:
            documented = {m.upper() for m in SPEC["paths"][path]}
            assert rule.methods - {"HEAD", "OPTIONS"} <= documented, path


def check(openapi, app, client, method, path, **kwargs):
    response = client.open(path, method=method, **kwargs)
    request = EnvironBuilder(path=path, method=method, **kwargs).get_request()
    openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
    return response


def test_answers_fit_the_document(openapi, app, client):
    receipt = check(openapi, app, client, "POST", "/api/tickets", json=VALID,
                    headers={"Idempotency-Key": "doc-1"})
    assert receipt.status_code == 201
    check(openapi, app, client, "POST", "/api/tickets", json=VALID, headers={"Idempotency-Key": "doc-1"})
    number, token = receipt.get_json()["number"], receipt.get_json()["token"]
    assert check(openapi, app, client, "GET", f"/api/tickets/{number}",
                 query_string={"token": token}).status_code == 200
    assert check(openapi, app, client, "GET", f"/api/tickets/{number}",
                 query_string={"token": "x"}).status_code == 404
    assert check(openapi, app, client, "POST", "/api/tickets",
                 json={"email": "x"}).status_code == 422
    assert check(openapi, app, client, "GET", "/api/health").status_code == 200


def test_the_document_is_served(client):
    response = client.get("/api/openapi.yaml")
    assert response.status_code == 200
    assert yaml.safe_load(response.data)["info"]["title"] == "Loket API"


def test_attachment_answers_fit_the_document(openapi, app, client):
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "PNG")
    data = picture.getvalue()
    started = check(openapi, app, client, "POST", "/api/uploads",
                    json={"name": "a.png", "size": len(data), "type": "image/png"})
    assert started.status_code == 201
    form = started.get_json()
    assert check(openapi, app, client, "POST", "/api/uploads",
                 json={"name": "a.png", "size": 0}).status_code == 422
    posted = client.post(form["url"], data={**form["fields"], "file": (io.BytesIO(data), "a.png")})
    assert posted.status_code == 204
    receipt = check(openapi, app, client, "POST", "/api/tickets",
                    json={**VALID, "attachments": [form["id"]]}).get_json()
    ticket = check(openapi, app, client, "GET", f"/api/tickets/{receipt['number']}",
                   query_string={"token": receipt["token"]}).get_json()
    [attachment] = ticket["messages"][0]["attachments"]
    path = attachment["url"].split("?")[0]
    for url in (path, path + "/thumbnail"):
        with client.get(url, query_string={"token": receipt["token"]}) as response:
            assert response.status_code == 200 and response.get_data()
            request = EnvironBuilder(path=url, method="GET",
                                     query_string={"token": receipt["token"]}).get_request()
            openapi.validate_response(WerkzeugOpenAPIRequest(request),
                                      WerkzeugOpenAPIResponse(response))
    assert check(openapi, app, client, "GET", path + "x",
                 query_string={"token": receipt["token"]}).status_code == 404


def test_the_served_document_is_made_from_the_configuration(client, services):
    served = yaml.safe_load(client.get("/api/openapi.yaml").data)
    assert served == json.loads(json.dumps(SPEC))
    submission = served["components"]["schemas"]["TicketSubmission"]
    assert submission["properties"]["product"]["enum"] == list(services.config.products)
    assert submission["properties"]["type"]["enum"] == [
        c.value for c in services.config.form.field("type").choices]
    assert set(submission["properties"]) - {"language", services.config.form.honeypot} == {
        f.name for f in services.config.form.fields}


def test_a_ticket_built_only_from_the_served_document_is_accepted(client):
    """A client that knows nothing but the document: every required field, each enum's
    first value, and text that fits the stated limits."""
    doc = yaml.safe_load(client.get("/api/openapi.yaml").data)
    operation = doc["paths"]["/api/tickets"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    examples = {"email": "someone@example.com"}
    ticket = {}
    for name in schema["required"]:
        field = schema["properties"][name]
        if "enum" in field:
            ticket[name] = field["enum"][0]
        elif field.get("format") == "email":
            ticket[name] = examples["email"]
        else:
            assert re.search(field.get("pattern", "."), "Made from the document")
            ticket[name] = "Made from the document"[:field.get("maxLength", 100)]
    response = client.post("/api/tickets", json=ticket)
    assert response.status_code == 201, response.get_json()
