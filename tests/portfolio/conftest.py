"""Fixtures for the portfolio tests: the miniature atlas and a CSV writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stackatlas.atlas.atlas import Atlas
from tests.builders import portfolio_atlas


@pytest.fixture
def atlas() -> Atlas:
    return portfolio_atlas()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(text: str | bytes, name: str = "holdings.csv") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
