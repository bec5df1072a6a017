"""Docs test: every CLI command has help text and an example in the docs (README or docs/)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from stackatlas.cli.app import app

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = REPO / "docs"


def _docs_text() -> str:
    pages = [README, *sorted(DOCS.rglob("*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


COMMANDS = dict(_commands(typer.main.get_command(app)))


def test_the_cli_has_the_documented_commands() -> None:
    expected = {
        "map",
        "company",
        "sources",
        "validate",
        "sql",
        "run",
        "sync",
        "sec bulk",
        "sec metrics",
        "fundamentals",
        "pools",
        "capex",
        "signals",
        "audit",
        "flows",
        "concentration",
        "economics",
        "scenario list",
        "scenario show",
        "scenario run",
        "portfolio analyze",
        "serve",
        "report",
    }
    assert expected <= set(COMMANDS), sorted(expected - set(COMMANDS))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help_and_readme_entry(name: str) -> None:
    command = COMMANDS[name]
    assert (command.help or "").strip(), f"`stackatlas {name}` has no help text"
    readme = _docs_text()
    pattern = r"stackatlas\s+" + r"\s+".join(map(re.escape, name.split())) + r"\b"
    assert re.search(pattern, readme), f"the docs have no example of `stackatlas {name}`"


def test_every_benchmark_script_has_a_row_in_the_benchmarks_readme() -> None:
    """Regression: bench_web / bench_ixbrl had no row and five rows said only "see the script".
    Each ``benchmarks/bench_*.py`` has a table row naming what it measures and its baseline."""
    bench = README.parent / "benchmarks"
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"^\| `(bench_\w+\.py)` \|(.*)$", (bench / "README.md").read_text(), re.M
        )
    }
    assert set(rows) == {p.name for p in bench.glob("bench_*.py")}
    for name, row in rows.items():
        measures, baseline = (cell.strip() for cell in row.split(" | ")[:2])
        assert measures and baseline and "see the script" not in row, name


def test_every_json_output_has_its_shape_documented() -> None:
    """A command's ``--json`` is either an API model's shape (``CLI_SHAPES``: the generated
    JSON reference, validated against real output in tests/test_doc_examples.py) or written
    out on its page as "`<command> --json`: {...}" (or "... prints {...}")."""
    from stackatlas.cli.reference import commands
    from stackatlas.cli.shapes import CLI_SHAPES

    text = _docs_text()
    missing = []
    for doc in commands():
        if doc.path in CLI_SHAPES or not any(p.name == "json" for p in doc.command.params):
            continue
        names = {doc.path, doc.path.split()[-1]}
        if not any(re.search(rf"`(stackatlas )?{re.escape(n)} --json`", text) for n in names):
            missing.append(doc.path)
    assert missing == [], f"--json shape not documented for: {missing}"
