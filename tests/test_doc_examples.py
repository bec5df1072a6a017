"""Every example command of the tutorial and the how-to guides runs and exits 0.

A line ``$ stackatlas ...`` inside a fenced block of those pages is an example. They run
in-process on one store built the way ``make run`` builds it (shipped atlas, the recorded SEC
files of ../shared/data/sec), from the repository root, so the pages' relative paths
(``examples/portfolio.csv``, ``../shared/data/eto``) resolve as they do for a reader.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from stackatlas.cli.app import app
from tests.conftest import SHARED_DATA

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = [DOCS / "tutorial.md", *sorted((DOCS / "how-to").glob("*.md"))]
FENCE = re.compile(r"^ *```[^\n]*\n(.*?)^ *```", re.M | re.S)  # also indented in lists

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def examples(page: Path) -> list[str]:
    """The ``$ stackatlas ...`` lines of a page's fenced blocks, in order."""
    found = []
    for block in FENCE.findall(page.read_text(encoding="utf-8")):
        lines = (line.strip() for line in block.splitlines())
        found += [line[2:] for line in lines if line.startswith("$ stackatlas ")]
    return found


EXAMPLES = [(page, command) for page in PAGES for command in examples(page)]


def test_the_tutorial_asks_its_questions_in_ten_commands() -> None:
    assert len(examples(DOCS / "tutorial.md")) == 10


@pytest.fixture(scope="module")
def made_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store as ``make run`` leaves it: atlas loaded, SEC facts of ../shared synced."""
    if not (SHARED_DATA / "sec").is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (needs ../shared beside the repo)")
    home = tmp_path_factory.mktemp("tutorial-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STACKATLAS_HOME", str(home))
        mp.setenv("STACKATLAS_OFFLINE", "1")
        mp.setenv("STACKATLAS_SEC_DIR", str(SHARED_DATA / "sec"))
        for var in ("STACKATLAS_ATLAS_OVERLAY", "STACKATLAS_ETO_DIR", "STACKATLAS_EPOCH_DIR"):
            mp.delenv(var, raising=False)
        done = CliRunner().invoke(app, ["run", "--quiet", "--no-report"])
    assert done.exit_code == 0, done.output
    return home


@pytest.fixture
def in_repo(made_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("STACKATLAS_HOME", str(made_home))
    monkeypatch.delenv("STACKATLAS_EPOCH_DIR", raising=False)
    monkeypatch.chdir(REPO)
    yield made_home


@pytest.mark.parametrize(
    ("page", "command"),
    EXAMPLES,
    ids=[f"{p.stem}: {c}" for p, c in EXAMPLES],
)
def test_example_runs(page: Path, command: str, in_repo: Path) -> None:
    args = shlex.split(command)[1:]
    done = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
    assert done.exit_code == 0, f"{page.name}: `{command}` -> {done.exit_code}\n{done.output}"
    assert done.output.strip(), f"{page.name}: `{command}` printed nothing"
    if "--json" in args:
        orjson.loads(done.stdout)
    for path in (a for a in args if a.startswith(("../", "examples/"))):
        assert os.path.exists(path), f"{page.name}: `{command}` names {path}, which is absent"


# arguments that make each command of ``CLI_SHAPES`` run on the shared data
SHAPE_ARGS = {
    "map": [],
    "company": ["nvidia"],
    "sources": [],
    "pools": [],
    "capex": [],
    "payback": [],
    "signals": [],
    "audit": [],
    "supplychain": ["--eto", "../shared/data/eto"],
    "infra": ["--epoch", "../shared/data/epoch"],
    "scenario run": ["taiwan-quake", "--draws", "50"],
    "portfolio analyze": ["examples/portfolio.csv"],
}


def test_every_documented_shape_has_a_check() -> None:
    from stackatlas.web.shapes import CLI_SHAPES

    assert set(SHAPE_ARGS) == set(CLI_SHAPES)


@pytest.mark.parametrize("command", sorted(SHAPE_ARGS))
def test_cli_json_has_the_documented_shape(command: str, in_repo: Path) -> None:
    """The JSON reference says ``stackatlas <command> --json`` prints the API model's shape:
    the real output validates against it (required fields present, types right)."""
    from stackatlas.web import models
    from stackatlas.web.shapes import CLI_SHAPES

    done = CliRunner().invoke(app, [*command.split(), *SHAPE_ARGS[command], "--json"])
    assert done.exit_code == 0, done.output
    model = getattr(models, CLI_SHAPES[command])
    model.model_validate_json(done.stdout)
