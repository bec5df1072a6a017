"""Shared CLI options: --atlas-overlay on every command that reads the atlas, one --json."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from stackatlas.cli.app import app
from stackatlas.cli.options import OUTPUT_OPTIONS, Output

runner = CliRunner()


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):  # a sub-group
            out |= _commands(cmd, f"{prefix}{name} ")
        else:
            out[f"{prefix}{name}"] = cmd
    return out


COMMANDS = _commands(typer.main.get_command(app))


def _reads_atlas(cmd: Any) -> bool:
    source = inspect.getsource(inspect.unwrap(cmd.callback))
    return "load_atlas(" in source or "create_app(" in source  # serve: the app loads it


def test_every_command_that_reads_the_atlas_takes_an_overlay() -> None:
    readers = sorted(name for name, cmd in COMMANDS.items() if _reads_atlas(cmd))
    # the commands that do not read the atlas: SEC archive / file tools, lab inputs, a list
    assert sorted(set(COMMANDS) - set(readers)) == [
        "economics",
        "scenario list",
        "sec bulk",
        "sec metrics",
    ]
    missing = [n for n in readers if "atlas_overlay" not in {p.name for p in COMMANDS[n].params}]
    assert missing == []


def test_output_options_are_defined_once() -> None:
    for name, cmd in COMMANDS.items():
        flags = [opt for p in cmd.params for opt in getattr(p, "opts", [])]
        for flag in ("--json", "--csv", "--parquet", "--xlsx"):
            assert flags.count(flag) <= 1, (name, flag)
    assert Output().machine is False and Output(json=True).machine is True
    assert Output(csv="-").machine is True
    assert set(OUTPUT_OPTIONS) == {"json", "csv", "parquet", "xlsx"}


def test_overlay_reaches_an_analysis_command(tmp_path: Path) -> None:
    overlay = tmp_path / "ov"
    overlay.mkdir()
    (overlay / "shares.csv").write_text(
        "market,company,share,low,high,as_of,source,kind,note\n"
        "ai-accelerators,nvidia,0.80,0.75,0.85,2026-06-30,marsbit-2026-03-16,estimate,what-if\n"
    )
    args = ["concentration", "--market", "ai-accelerators", "--json"]
    shipped = json.loads(runner.invoke(app, args).stdout)
    what_if = json.loads(runner.invoke(app, [*args, "--atlas-overlay", str(overlay)]).stdout)

    def nvidia(payload: dict) -> float:
        return next(r["share"] for r in payload["chokepoints"] if r["company"] == "nvidia")

    # shipped: the article's ~92% AI GPU share; the overlay's what-if: 80%
    assert nvidia(shipped) == 0.92 and nvidia(what_if) == 0.80
    assert {r["market"] for r in what_if["chokepoints"]} == {"ai-accelerators"}
