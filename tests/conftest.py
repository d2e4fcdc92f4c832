from __future__ import annotations

import pytest

from tests.stores import STORE_KINDS, make_store


@pytest.fixture(params=STORE_KINDS)
def store(request, tmp_path):
    return make_store(request.param, tmp_path)
