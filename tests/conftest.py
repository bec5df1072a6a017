"""Shared test fixtures: an isolated STACKATLAS_HOME and the ../shared real-data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data directory; no test touches the user's real one."""
    home = tmp_path / "home"
    monkeypatch.setenv("STACKATLAS_HOME", str(home))
    for var in (
        "STACKATLAS_ATLAS_OVERLAY",
        "STACKATLAS_SEC_DIR",
        "STACKATLAS_SEC_USER_AGENT",
        "STACKATLAS_ETO_DIR",
        "STACKATLAS_PROVIDERS",
        "STACKATLAS_FX_FILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("STACKATLAS_OFFLINE", "1")
    return home


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip (tests using it are marked ``realdata``)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (needs ../shared beside the repo)")
    return SHARED_DATA


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
