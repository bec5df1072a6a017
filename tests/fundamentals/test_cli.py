"""The ``stackatlas fundamentals`` command (real files via STACKATLAS_SEC_DIR)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stackatlas.cli.app import app

runner = CliRunner()


@pytest.mark.realdata
def test_table_json_and_csv(shared_data, monkeypatch):
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    out = runner.invoke(app, ["fundamentals", "NVDA", "--years", "2"])
    assert out.exit_code == 0, out.output
    assert "215,938 ●" in out.output and "96,676 ◐" in out.output  # $M with evidence marker
    out = runner.invoke(
        app, ["fundamentals", "1045810", "--period", "quarterly", "--metrics", "revenue", "--json"]
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["rows"]
    q4 = next(r for r in rows if r["fiscal_year"] == 2026 and r["fiscal_period"] == "Q4")
    assert q4["value"] == 68_127e6 and q4["end"] == "2026-01-25"
    out = runner.invoke(app, ["fundamentals", "1045810", "--metrics", "Capex, ", "--csv", "-"])
    assert out.exit_code == 0
    assert out.output.splitlines()[0].startswith("metric,fiscal_year,fiscal_period,start,end")


@pytest.mark.realdata
def test_default_table_window_and_cik_names_the_company(shared_data, monkeypatch):
    """Without --years the table showed every fiscal year since FY2008 (80 quarters in
    quarterly mode); a bare CIK was titled 'CIK 1045810 (CIK 1045810)'."""
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    out = runner.invoke(
        app, ["fundamentals", "1045810", "--metrics", "revenue"], env={"COLUMNS": "200"}
    )
    assert out.exit_code == 0, out.output
    assert "Nvidia (CIK 1045810), annual" in out.output
    # FY2022-FY2026 (10-K: FY2022 revenue 26,914 $M); FY2021 and earlier left out and said so
    assert "FY2022" in out.output and "26,914" in out.output and "FY2021" not in out.output
    assert "last 5 years shown" in out.output
    full = runner.invoke(app, ["fundamentals", "NVDA", "--metrics", "revenue", "--json"])
    years = {r["fiscal_year"] for r in json.loads(full.output)["rows"]}
    assert min(years) <= 2010  # --json keeps every period


def test_errors_are_clean(monkeypatch, tmp_path):
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(tmp_path))
    out = runner.invoke(app, ["fundamentals", "123456"])
    assert out.exit_code == 1 and "no SEC facts for CIK 123456" in out.output
    out = runner.invoke(app, ["fundamentals", "123456", "--period", "weekly"])
    assert out.exit_code == 2 and "period must be one of" in out.output


def test_help_text():
    out = runner.invoke(app, ["fundamentals", "--help"])
    assert out.exit_code == 0 and "--period" in out.output


def test_readme_documents_the_command_and_the_concept_table():
    from pathlib import Path

    from stackatlas.fundamentals.concepts import concept_table_markdown

    readme = (
        Path(__file__).resolve().parents[2] / "docs" / "commands" / "fundamentals.md"
    ).read_text()
    section = readme.split("<!-- section: fundamentals -->")[1].split(
        "<!-- /section: fundamentals -->"
    )[0]
    assert "$ stackatlas fundamentals" in section
    assert concept_table_markdown() in section  # README table == the table in code


@pytest.mark.realdata
def test_company_name_is_not_markup(shared_data, monkeypatch, tmp_path):
    """Regression: an overlay name 'Nvidia [/b]' in the table title raised MarkupError."""
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    (tmp_path / "companies.csv").write_text(
        "id,name,ticker,exchange,other_tickers,cik,country,listed,parent,aliases,description\n"
        "nvidia,Nvidia [/b],NVDA,NASDAQ,,1045810,US,true,,NVIDIA,\n"
    )
    out = runner.invoke(
        app,
        ["fundamentals", "NVDA", "--years", "1", "--metrics", "revenue"],
        env={"COLUMNS": "200", "STACKATLAS_ATLAS_OVERLAY": str(tmp_path)},
    )
    assert out.exit_code == 0, out.output
    assert "Nvidia [/b] (CIK" in out.output  # the title wraps to the table width
