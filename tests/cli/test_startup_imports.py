"""The command line starts light: what ``stackatlas --help``, ``map`` and ``sources`` import.

Structural, not timed (the times are ``benchmarks/bench_cli.py``'s): each check runs in a fresh
interpreter and reads ``sys.modules`` afterwards. pandas alone costs ~0.45 s of start-up; plotly,
scipy, DuckDB and FastAPI are only for the commands that draw, solve, store or serve.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "numpy", "pyarrow", "plotly", "scipy", "duckdb", "fastapi", "httpx", "lxml")

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _heavy_after(body: str, tmp_path: Path) -> list[str]:
    code = PROBE.format(body=body, heavy=HEAVY)
    env = {"STACKATLAS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library(tmp_path: Path) -> None:
    assert _heavy_after("import stackatlas.cli.app", tmp_path) == []


def test_importing_stackatlas_loads_no_heavy_library(tmp_path: Path) -> None:
    body = "import stackatlas\nassert stackatlas.__version__"
    assert _heavy_after(body, tmp_path) == []


RUN_COMMAND = """
from stackatlas.cli.app import app
try:
    app({args!r}, standalone_mode=False)
except SystemExit as exc:
    assert not exc.code, exc.code
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["map"], ["sources"]])
def test_light_commands_run_without_heavy_libraries(args: list[str], tmp_path: Path) -> None:
    """The whole command runs (atlas loaded, view rendered) without pandas, DuckDB & co."""
    assert _heavy_after(RUN_COMMAND.format(args=args), tmp_path) == []


def test_the_lazy_names_still_resolve() -> None:
    """``stackatlas.Atlas`` / ``load_atlas`` / ``Store`` and the ``stackatlas.sec`` names load
    on first use."""
    import stackatlas
    import stackatlas.sec
    from stackatlas.store import Store

    assert stackatlas.Store is Store
    assert stackatlas.load_atlas().layer_ids[0] == "energy"
    assert callable(stackatlas.sec.sync_companies)
    with pytest.raises(AttributeError):
        _ = stackatlas.no_such_name  # type: ignore[attr-defined]
