"""GET /api/suggest: suggestions as JSON, bad parameters as problem details, 503 without index."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from loket.clock import FixedClock
from loket.config import load_portal_config
from loket.mail.outbox import OutboxMailer
from loket.services.context import Services
from loket.settings import Settings
from loket.storage.sqlite import SQLiteStore
from loket.web.app import create_app
from tests.paths import SITE_CONFIG


def make_client(tmp_path, search):
    services = Services(config=load_portal_config(SITE_CONFIG),
                        store=SQLiteStore(tmp_path / "loket.db"),
                        mail=OutboxMailer(tmp_path / "outbox"),
                        clock=FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)),
                        base_url="http://portal.test",
                        mail_from="Nordwind Support <support@nordwind.example>", search=search)
    settings = Settings(site_dir=tmp_path / "no-site", config_dir=SITE_CONFIG)
    app = create_app(settings, services=services)
    app.testing = True
    return app.test_client()


@pytest.fixture
def client(tmp_path, searcher):
    return make_client(tmp_path, searcher)


def test_suggestions_as_json(client):
    response = client.get("/api/suggest?q=file+locked&lang=en&product=planner")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    body = response.get_json()
    assert body["query"] == "file locked"
    [first, *_] = body["suggestions"]
    assert first["title"] == 'Export to Excel fails with "The file is locked"'
    assert first["url"] == "/kb/planner/export-excel/"
    assert "<mark>locked</mark>" in first["snippet"]
    assert (first["product"], first["language"]) == ("planner", "en")


def test_at_most_five_suggestions(client):
    body = client.get("/api/suggest?q=the+file+e-mail+bank+browsers+script+excel").get_json()
    assert 0 < len(body["suggestions"]) <= 5


def test_a_german_page_finds_the_english_articles(client):
    """German is an interface language (its catalog); the articles are en/nl only."""
    found = client.get("/api/suggest?q=file+locked&lang=de").get_json()["suggestions"]
    assert found and found[0]["language"] == "en"


def test_language_defaults_to_english_and_nothing_found_is_an_empty_list(client):
    assert client.get("/api/suggest?q=locked").get_json()["suggestions"][0]["language"] == "en"
    assert client.get("/api/suggest?q=zzyzx").get_json()["suggestions"] == []


@pytest.mark.parametrize("query, field", [
    ("", "q"), ("?q=", "q"), ("?q=++", "q"), ("?q=a", "q"), ("?q=" + "x" * 201, "q"),
    ("?q=export&lang=fr", "lang"), ("?q=export&product=accounting", "product"),
])
def test_bad_parameters_are_problems_naming_the_parameter(client, query, field):
    response = client.get("/api/suggest" + query)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert field in problem["detail"]


def test_every_bad_parameter_is_named_at_once(client):
    problem = client.get("/api/suggest?lang=fr&product=x").get_json()
    assert [e["field"] for e in problem["errors"]] == ["q", "lang", "product"]


def test_without_an_index_the_answer_is_503(tmp_path):
    response = make_client(tmp_path, None).get("/api/suggest?q=export")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.get_json()["title"] == "Search index not built"


def test_an_index_that_went_missing_is_503_too(tmp_path):
    from loket.search.query import WhooshSearcher

    response = make_client(tmp_path, WhooshSearcher(tmp_path / "gone")).get(
        "/api/suggest?q=export")
    assert response.status_code == 503


def test_bad_parameters_are_reported_before_a_missing_index(tmp_path):
    assert make_client(tmp_path, None).get("/api/suggest?q=x").status_code == 422


def test_the_app_wires_the_index_only_when_it_was_built(small_site, tmp_path):
    from loket.wiring import build_searcher

    # The searcher's code is imported on the first suggestion (search/on_first_use.py).
    searcher = build_searcher(Settings(search_index=small_site.index))
    assert searcher.path == small_site.index
    found = searcher.suggest("payslip emailed ", lang="en", snippets=False)
    assert found[0].url == "/kb/payroll/payslips/"
    assert build_searcher(Settings(search_index=tmp_path / "nothing")) is None


def test_an_index_built_for_other_fields_is_refused_not_misread(small_site, tmp_path):
    import shutil

    from loket.search.query import WhooshSearcher

    old = tmp_path / "old-index"
    shutil.copytree(small_site.index, old)
    (old / "LOKET_SCHEMA").write_text("0\n")
    response = make_client(tmp_path, WhooshSearcher(old)).get("/api/suggest?q=export")
    assert response.status_code == 503


def test_answers_fit_the_openapi_document(client, tmp_path):
    import json
    from importlib.resources import files

    import yaml
    from openapi_core import Config, OpenAPI
    from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
    from werkzeug.test import EnvironBuilder

    spec = yaml.safe_load(files("loket.web").joinpath("openapi.yaml").read_text())
    openapi = OpenAPI.from_dict(spec, config=Config(
        extra_media_type_deserializers={"application/problem+json": json.loads}))
    for app_client, query in ((client, "q=locked&lang=en&product=planner"),
                              (client, "q=x&lang=fr"), (make_client(tmp_path, None), "q=export")):
        response = app_client.get(f"/api/suggest?{query}")
        request = EnvironBuilder(path="/api/suggest", query_string=query).get_request()
        openapi.validate_response(WerkzeugOpenAPIRequest(request),
                                  WerkzeugOpenAPIResponse(response))
