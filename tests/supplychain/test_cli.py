"""``stackatlas supplychain`` and ``concentration`` with and without the ETO folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackatlas.cli.app import app

runner = CliRunner()


def test_supplychain_without_the_folder_exits_2_with_how_to() -> None:
    result = runner.invoke(app, ["supplychain"])
    assert result.exit_code == 2
    assert "not configured" in result.output and "STACKATLAS_ETO_DIR" in result.output


def test_supplychain_json_on_fixture(eto_dir: Path) -> None:
    result = runner.invoke(app, ["supplychain", "--eto", str(eto_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = {r["input_id"]: r for r in data["inputs"]}
    assert rows["N71"]["firms"]["hhi"] == 6625.0 and rows["N71"]["firms"]["remainder"] == 5.0
    assert rows["N31"]["firms"]["hhi"] is None  # blank shares: unknown
    assert data["credit"]["licence"] == "CC BY-NC 4.0"


def test_supplychain_env_var_and_filters(eto_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKATLAS_ETO_DIR", str(eto_dir))
    result = runner.invoke(app, ["supplychain", "--input", "dicing tools", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["input_id"] for r in data["inputs"]] == ["N71"]
    assert data["inputs"][0]["exposed_companies"][0]["tier"] == 1
    result = runner.invoke(app, ["supplychain", "--stage", "fabrication", "--json"])
    assert {r["input_id"] for r in json.loads(result.output)["inputs"]} == {"N19", "N20", "N31"}
    result = runner.invoke(app, ["supplychain", "--provider", "Beta Coat"])
    assert result.exit_code == 0 and "Beta Coat: inputs supplied" in result.output
    result = runner.invoke(app, ["supplychain", "--country", "Japan", "--json"])
    assert json.loads(result.output)["country"]["country"] == "JPN"


def test_unknown_names_exit_2_with_suggestions(eto_dir: Path) -> None:
    result = runner.invoke(app, ["supplychain", "--eto", str(eto_dir), "--input", "dicing tool"])
    assert result.exit_code == 2 and "Dicing tools" in result.output
    result = runner.invoke(app, ["supplychain", "--eto", str(eto_dir), "--country", "ZZZ"])
    assert result.exit_code == 2


def test_broken_folder_exits_2_naming_file_line_field(eto_copy: Path) -> None:
    path = eto_copy / "provision.csv"
    path.write_text(path.read_text().replace("N71,80.0", "N71,abc", 1))
    result = runner.invoke(app, ["supplychain", "--eto", str(eto_copy)])
    assert result.exit_code == 2
    assert f"{path}:10 [share_provided]: not a number: 'abc'" in result.output


def test_concentration_works_without_and_with_the_folder(eto_dir: Path) -> None:
    plain = runner.invoke(app, ["concentration", "--json"])
    assert plain.exit_code == 0
    data = json.loads(plain.output)
    assert "eto_inputs" not in data["concentration"] and "country_chokepoints" not in data
    merged = runner.invoke(app, ["concentration", "--eto", str(eto_dir), "--json"])
    assert merged.exit_code == 0, merged.output
    data = json.loads(merged.output)
    assert {r["basis"] for r in data["chokepoints"]} == {"atlas", "eto"}
    assert data["eto_credit"]["citation"].startswith("CSET / Emerging Technology Observatory")
    one = runner.invoke(
        app, ["concentration", "--eto", str(eto_dir), "--market", "eto:N20", "--json"]
    )
    assert [r["market"] for r in json.loads(one.output)["chokepoints"]] == ["eto:N20"]
