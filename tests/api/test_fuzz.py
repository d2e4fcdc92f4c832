"""Property-based requests from the served OpenAPI document (schemathesis), in-process.

Every operation gets schema-valid and schema-breaking requests, and every schemathesis
check applies: no server error, valid data accepted, invalid data refused, every answer
(status, headers, body) as the document says, 405 with Allow for undeclared methods.
Bounded to about a minute (max_examples per operation) and derandomized (a fixed
seed): the same cases on every run, so CI stays stable. Figures: bench/api_fuzz.py.
"""

from __future__ import annotations

import dataclasses

import pytest

from loket.search.index import build_index_from_site
from loket.search.query import WhooshSearcher
from loket.settings import Settings
from loket.web.app import create_app
from tests.api.fuzzing import fuzz
from tests.paths import SITE_CONFIG
from tests.search.small_site import write_small_site

MAX_EXAMPLES = 10


@pytest.fixture
def searching_app(services, tmp_path):
    """The API with a knowledge-base index, so suggestions answer too (not 503)."""
    build_index_from_site(write_small_site(tmp_path / "site"), tmp_path / "index")
    searcher = WhooshSearcher(tmp_path / "index")
    app = create_app(Settings(site_dir=tmp_path / "no-site", config_dir=SITE_CONFIG),
                     services=dataclasses.replace(services, search=searcher))
    yield app
    searcher.close()


def test_every_answer_fits_the_document_and_none_is_a_server_error(searching_app):
    run = fuzz(searching_app, max_examples=MAX_EXAMPLES)
    assert run.cases > 500 and not run.errors, run.errors
    assert run.server_errors == 0, run.statuses
    assert not run.failures, "\n\n".join(run.failures)
