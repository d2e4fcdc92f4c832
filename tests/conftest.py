from __future__ import annotations

import pytest

from tests.stores import STORE_KINDS, make_store, store_sandbox


@pytest.fixture(params=STORE_KINDS)
def store(request, tmp_path, monkeypatch):
    with store_sandbox(request.param, monkeypatch):
        yield make_store(request.param, tmp_path)
