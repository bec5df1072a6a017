"""Web fixtures: one app per module over a store path that does not exist (atlas in memory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackatlas.web.app import create_app

WEB_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "web"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("web") / "absent.duckdb"
    with TestClient(create_app(store_path=store)) as c:
        yield c


@pytest.fixture
def web_fixtures() -> Path:
    return WEB_FIXTURES
