"""Hostile cases that need a real process (stdout, the data directory) or a built store:
one line and exit 2, no traceback, and nothing already stored lost."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stackatlas.store import Store
from tests.hostile.hostile_cli import REPO, invoke, run_process


def test_stdout_on_a_full_device(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = run_process(["map", "--json"], {"STACKATLAS_HOME": str(tmp_path)}, stdout=full)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: cannot write the output: No space left on device"


def test_stdout_closed_early_is_quiet(tmp_path: Path) -> None:
    code = "from stackatlas.cli.app import main; main()"
    import sys

    with subprocess.Popen(
        [sys.executable, "-c", code, "map"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**__import__("os").environ, "STACKATLAS_HOME": str(tmp_path)},
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # like `stackatlas map | head -1`
        stderr = proc.stderr.read().decode()
        assert proc.wait(timeout=120) in (0, 2)
    assert "Traceback" not in stderr


def test_home_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "afile"
    home.write_text("x")
    proc = run_process(["sql", "SELECT 1"], {"STACKATLAS_HOME": str(home)})
    assert proc.returncode == 2
    assert "STACKATLAS_HOME is a file, not a directory" in proc.stderr


def _counts(path: Path) -> dict[str, object]:
    with Store(path, read_only=True) as store:
        tables = store.query("SELECT table_name FROM information_schema.tables")["table_name"]
        counts: dict[str, object] = {
            t: int(store.query(f'SELECT count(*) FROM "{t}"').iloc[0, 0]) for t in tables
        }
        counts["atlas_version"] = store.get_meta("atlas_version")
    return counts


def test_nothing_stored_is_lost_by_hostile_commands(tmp_path: Path) -> None:
    """Build the store, throw the store-touching hostile cases at it, compare every table."""
    invoke(["run", "--no-report", "-q"])
    store = Path(__import__("os").environ["STACKATLAS_HOME"]) / "stackatlas.duckdb"
    before = _counts(store)
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "layers.yaml").write_text("- id: energy\n  segments: 5\n", encoding="utf-8")
    cases = [
        ["run", "--no-report", "-q", "--atlas-overlay", str(overlay)],  # refused before writing
        ["run", "-q", "--report", str(tmp_path)],  # output path refused before the sync
        ["signals", "--record", "--file", str(tmp_path / "missing.yaml")],
        ["report", "-o", "/dev/full"],
    ]
    for args in cases:
        invoke(args)
    assert _counts(store) == before


def test_damaged_store_says_how_to_rebuild_and_rebuild_keeps_the_old_file() -> None:
    invoke(["run", "--no-report", "-q"])
    home = Path(__import__("os").environ["STACKATLAS_HOME"])
    store = home / "stackatlas.duckdb"
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3])
    outcome = invoke(["sql", "SELECT * FROM atlas_companies, atlas_flows LIMIT 5"])
    assert outcome.exit_code == 2
    assert "is damaged" in outcome.output and "stackatlas run --rebuild" in outcome.output
    outcome = invoke(["run", "--no-report", "-q", "--rebuild"])
    assert outcome.exit_code == 0 and "store set aside as" in outcome.output
    (kept,) = home.glob("stackatlas.duckdb.damaged-*")
    assert kept.read_bytes() == data[: len(data) // 3]
    assert invoke(["sql", "SELECT count(*) AS n FROM atlas_companies", "--json"]).exit_code == 0


@pytest.mark.parametrize("seed", ["-1", "x", "99999999999"])
def test_web_scenario_form_seed(seed: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from stackatlas.web.app import create_app

    with TestClient(create_app(store_path=tmp_path / "absent.duckdb")) as client:
        page = client.post("/scenarios", data={"name": "taiwan-quake", "draws": "5", "seed": seed})
    assert page.status_code in (400, 422)
    assert "seed" in page.text


def test_example_files_are_real_inputs() -> None:
    assert (REPO / "examples" / "portfolio.csv").is_file()
