"""The built wheel ships the atlas package data and loads it from an installed layout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from stackatlas.atlas.loader import FILES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="hatchling (dev extra) builds the wheel offline")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("stackatlas-*.whl")
    return built


def test_wheel_contains_atlas_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in FILES:
        if name == "dependencies.csv" and not (REPO / "src/stackatlas/data/atlas" / name).exists():
            continue
        assert f"stackatlas/data/atlas/{name}" in names
    assert "stackatlas/py.typed" in names
    assert not any(n.startswith("tests/") for n in names)


def test_atlas_loads_from_unpacked_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import stackatlas, sys; a = stackatlas.load_atlas(); "
        "assert stackatlas.__file__.startswith(sys.argv[1]), stackatlas.__file__; "
        "print(len(a.layers), a.companies['nvidia'].ticker)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        check=True,
    )
    assert done.stdout.split() == ["5", "NVDA"]
