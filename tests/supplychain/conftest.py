"""ETO fixtures: the hand-written folder (tests/fixtures/eto) and the real dataset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stackatlas.supplychain import EtoData, load_eto
from stackatlas.supplychain.loader import clear_cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


@pytest.fixture
def eto_dir(fixtures: Path) -> Path:
    return fixtures / "eto"


@pytest.fixture
def eto(eto_dir: Path) -> EtoData:
    return load_eto(eto_dir)


@pytest.fixture
def eto_copy(eto_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the fixture folder (for breaking files)."""
    target = tmp_path / "eto"
    shutil.copytree(eto_dir, target)
    return target


@pytest.fixture
def real_eto(shared_data: Path) -> EtoData:
    return load_eto(shared_data / "eto")
