"""Every example command in the docs runs and exits as the page says (0 unless marked).

An example is a line ``$ stackatlas ...`` inside a fenced block of the README or any page under
``docs/`` (a trailing ``\\`` continues it on the next line; ``# ...`` is a comment; ``| head``
and what follows is the shell's, not ours). An HTML comment on the line before a block marks
all of its examples, and a comment ``# exits N`` marks one line:

    <!-- example: exits 2 -->                      an error shown on purpose: that exit code
    <!-- example: not run (reason) -->             not runnable here; the reason is required
    $ stackatlas company nvidai     # exits 2      this line only

They run in-process on one store built the way ``make run`` builds it (shipped atlas, the
recorded SEC files of ../shared/data/sec, offline), from a temporary copy of the repository's
layout (``examples/``, ``tests/`` and ``../shared`` linked), so the pages' relative paths resolve
as they do for a reader and files the examples write land in a temporary folder.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from stackatlas.cli.app import app
from tests.conftest import SHARED_DATA

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]
FENCE = re.compile(r"^ *```")
LINE_MARK = re.compile(r"#.*\bexits (\d+)\s*$")
MARK = re.compile(r"^\s*<!--\s*example:\s*(exits (\d+)|not run \((.+)\))\s*-->\s*$")
# environment a page's examples assume (it says so in its text)
PAGE_ENV = {
    "supplychain.md": {"STACKATLAS_ETO_DIR": str(SHARED_DATA / "eto")},
}

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    command: str  # without the leading "$ "
    exit_code: int | None  # None: not run
    reason: str = ""

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}: {self.command[:70]}"


def examples(page: Path, text: str | None = None) -> Iterator[Example]:
    """The ``$ stackatlas ...`` lines of a page's fenced blocks, with their block's mark."""
    if text is None:
        text = page.read_text(encoding="utf-8")
    lines = text.splitlines()
    inside, mark = False, None
    previous = ""
    i = 0
    while i < len(lines):
        text = lines[i]
        if FENCE.match(text):
            inside = not inside
            mark = MARK.match(previous) if inside else None
        elif inside and text.strip().startswith("$ stackatlas "):
            start, command = i + 1, text.strip()[2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1].rstrip() + " " + lines[i].strip()
            line_mark = LINE_MARK.search(command)
            if line_mark:
                yield Example(page, start, command, int(line_mark.group(1)))
            elif mark and mark.group(2):
                yield Example(page, start, command, int(mark.group(2)))
            elif mark:
                yield Example(page, start, command, None, mark.group(3))
            else:
                yield Example(page, start, command, 0)
        if text.strip():
            previous = text
        i += 1


EXAMPLES = [example for page in PAGES for example in examples(page)]
RUN = [e for e in EXAMPLES if e.exit_code is not None]


def test_the_tutorial_asks_its_questions_in_ten_commands() -> None:
    assert len(list(examples(DOCS / "tutorial.md"))) == 10
    assert all(e.exit_code == 0 for e in examples(DOCS / "tutorial.md"))


def test_the_docs_show_examples_and_run_nearly_all_of_them() -> None:
    """A page cannot opt out wholesale: the examples left unrun (error messages of the reader's
    own hostile files, a server, synthetic archives) say why and stay a minority."""
    assert len(EXAMPLES) >= 100
    skipped = [e for e in EXAMPLES if e.exit_code is None]
    assert all(e.reason.strip() for e in skipped)
    assert len(skipped) <= len(EXAMPLES) // 3, [e.id for e in skipped]


def test_the_marks_parse() -> None:
    page = "<!-- example: exits 2 -->\n```text\n$ stackatlas company nvidai\nerror\n```\n"
    page += "\n<!-- example: not run (a server) -->\n```\n$ stackatlas serve \\\n  --port 1\n```\n"
    page += "```\n$ stackatlas map   # the tree\n$ stackatlas sql 'DROP t'  # exits 1\n```\n"
    found = list(examples(DOCS / "x.md", page))
    assert [(e.command, e.exit_code, e.reason) for e in found] == [
        ("stackatlas company nvidai", 2, ""),
        ("stackatlas serve --port 1", None, "a server"),
        ("stackatlas map   # the tree", 0, ""),
        ("stackatlas sql 'DROP t'  # exits 1", 1, ""),
    ]
    assert args_of(found[2].command) == ["map"]


def args_of(command: str) -> list[str]:
    """The CLI arguments of an example: comments dropped, cut at a pipe."""
    words = shlex.split(command, comments=True)[1:]
    if "|" in words:
        words = words[: words.index("|")]
    assert not {">", ">>", "<", "&&", ";"} & set(words), f"needs a shell: {command}"
    return words


@pytest.fixture(scope="module")
def made_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store as ``make run`` leaves it: atlas loaded, SEC facts of ../shared synced."""
    if not (SHARED_DATA / "sec").is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (needs ../shared beside the repo)")
    home = tmp_path_factory.mktemp("examples-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STACKATLAS_HOME", str(home))
        mp.setenv("STACKATLAS_OFFLINE", "1")
        mp.setenv("STACKATLAS_SEC_DIR", str(SHARED_DATA / "sec"))
        for var in ("STACKATLAS_ATLAS_OVERLAY", "STACKATLAS_ETO_DIR", "STACKATLAS_EPOCH_DIR"):
            mp.delenv(var, raising=False)
        done = CliRunner().invoke(app, ["run", "--quiet", "--no-report"])
    assert done.exit_code == 0, done.output
    return home


@pytest.fixture(scope="module")
def reader_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``<tmp>/repo`` with the repository's example folders linked and ``<tmp>/shared`` beside
    it: the pages' paths resolve, and what the examples write stays in the temporary folder."""
    root = tmp_path_factory.mktemp("reader")
    (root / "repo").mkdir()
    for name in ("examples", "tests", "docs"):
        (root / "repo" / name).symlink_to(REPO / name)
    (root / "shared").symlink_to(SHARED_DATA.parent)
    return root / "repo"


@pytest.fixture
def in_reader_dir(
    made_home: Path, reader_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("STACKATLAS_HOME", str(made_home))
    monkeypatch.setenv("STACKATLAS_OFFLINE", "1")
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(SHARED_DATA / "sec"))
    for var in ("STACKATLAS_ATLAS_OVERLAY", "STACKATLAS_ETO_DIR", "STACKATLAS_EPOCH_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(reader_dir)
    yield reader_dir


@pytest.mark.parametrize("example", RUN, ids=[e.id for e in RUN])
def test_example_runs(example: Example, in_reader_dir: Path) -> None:
    args = args_of(example.command)
    env = {"COLUMNS": "100", **PAGE_ENV.get(example.page.name, {})}
    done = CliRunner().invoke(app, args, env=env)
    where = f"{example.id}\n-> exit {done.exit_code}\n{done.output}"
    assert done.exit_code == example.exit_code, where
    assert done.output.strip(), f"{where}: printed nothing"
    if example.exit_code == 0 and "--json" in args:
        orjson.loads(done.stdout)
    for path in (a for a in args if a.startswith(("../", "examples/", "tests/"))):
        assert Path(path).exists(), f"{example.id} names {path}, which is absent"


# arguments that make each command of ``CLI_SHAPES`` run on the shared data
SHAPE_ARGS = {
    "map": [],
    "company": ["nvidia"],
    "sources": [],
    "pools": [],
    "capex": [],
    "coverage": ["--year", "2024"],
    "payback": [],
    "signals": [],
    "audit": [],
    "supplychain": ["--eto", "../shared/data/eto"],
    "infra": ["--epoch", "../shared/data/epoch"],
    "scenario run": ["taiwan-quake", "--draws", "50"],
    "portfolio analyze": ["examples/portfolio.csv"],
}


def test_every_documented_shape_has_a_check() -> None:
    from stackatlas.cli.shapes import CLI_SHAPES

    assert set(SHAPE_ARGS) == set(CLI_SHAPES)


@pytest.mark.parametrize("command", sorted(SHAPE_ARGS))
def test_cli_json_has_the_documented_shape(command: str, in_reader_dir: Path) -> None:
    """The JSON reference says ``stackatlas <command> --json`` prints the API model's shape:
    the real output validates against it (required fields present, types right)."""
    from stackatlas.cli.shapes import CLI_SHAPES
    from stackatlas.web import models

    done = CliRunner().invoke(app, [*command.split(), *SHAPE_ARGS[command], "--json"])
    assert done.exit_code == 0, done.output
    model = getattr(models, CLI_SHAPES[command])
    model.model_validate_json(done.stdout)
