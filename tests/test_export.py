"""Exports: --csv / --parquet / --xlsx on table commands (one shared writer) and
``stackatlas export DIR`` read back with DuckDB."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from stackatlas import load_atlas
from stackatlas.analysis.concentration import market_concentration
from stackatlas.cli.app import app


def run(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(app, list(args))
    return out.exit_code, out.output


def test_csv_to_stdout_is_the_main_table() -> None:
    code, text = run("concentration", "--csv", "-")
    assert code == 0, text
    frame = pd.read_csv(io.StringIO(text))
    euv = frame.set_index("market").loc["euv-lithography"]
    assert euv["hhi"] == 10_000 and euv["leader"] == "asml"  # ASML sole EUV supplier
    assert {"evidence", "sources"} <= set(frame.columns)


def test_csv_parquet_xlsx_files_carry_every_table_and_the_sources(tmp_path: Path) -> None:
    code, text = run(
        "company", "nvidia",
        "--csv", str(tmp_path / "nvda.csv"),
        "--parquet", str(tmp_path / "nvda.parquet"),
        "--xlsx", str(tmp_path / "nvda.xlsx"),
    )  # fmt: skip
    assert code == 0, text
    shares = pd.read_csv(tmp_path / "nvda.shares.csv")
    assert shares.set_index("market").loc["ai-accelerators", "share"] == 0.92  # article: 92%
    parquet = pd.read_parquet(tmp_path / "nvda.shares.parquet")
    assert parquet["share"].tolist() == shares["share"].tolist()
    book = openpyxl.load_workbook(tmp_path / "nvda.xlsx")
    assert {"shares", "figures", "sources~2", "Sources"} <= set(book.sheetnames)
    sources = [row[0].value for row in book["Sources"].iter_rows(min_row=2)]
    assert "marsbit-2026-03-16" in sources


def test_xlsx_without_openpyxl_names_the_extra(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if the excel extra were absent
    code, text = run("concentration", "--xlsx", str(tmp_path / "c.xlsx"))
    assert code != 0 and "stackatlas[excel]" in text and "c.xlsx" in text
    assert not (tmp_path / "c.xlsx").exists()


def test_json_and_csv_to_stdout_together_are_refused() -> None:
    code, text = run("signals", "--json", "--csv", "-")
    assert code == 2 and "choose one" in text


def test_an_export_path_that_is_a_folder_is_a_located_error(tmp_path: Path) -> None:
    code, text = run("concentration", "--csv", str(tmp_path))
    assert code == 2 and str(tmp_path) in text and "directory" in text


def test_export_folder_round_trips_through_duckdb(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    code, text = run("export", str(folder), "--json")
    assert code == 0, text
    manifest = json.loads((folder / "manifest.json").read_text())
    atlas = load_atlas()
    assert manifest["atlas_version"] == atlas.version
    for entry in manifest["files"]:  # every file as recorded
        data = (folder / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    con = duckdb.connect()
    markets = con.execute(
        f"SELECT market, hhi, cr1 FROM '{folder / 'concentration.markets.parquet'}'"
    ).df()
    expected = market_concentration(atlas).table
    merged = markets.merge(expected[["market", "hhi", "cr1"]], on="market", suffixes=("", "_lib"))
    assert len(merged) == len(expected)
    pd.testing.assert_series_equal(merged["hhi"], merged["hhi_lib"], check_names=False)
    companies = con.execute(
        f"SELECT count(*) FROM '{folder / 'atlas.companies.parquet'}'"
    ).fetchone()
    assert companies == (len(atlas.companies),)
    assert "supplychain" in manifest["skipped"]  # no ETO folder here: skipped, not zeros


def test_export_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, text = run("export", str(tmp_path))
    assert code == 2 and "holds no stackatlas export" in text
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.realdata
def test_pools_export_equals_the_library(shared_data: Path, monkeypatch, tmp_path: Path) -> None:
    from stackatlas.analysis.profit_pools import profit_pools

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    code, text = run("pools", "--parquet", str(tmp_path / "pools.parquet"))
    assert code == 0, text
    written = pd.read_parquet(tmp_path / "pools.parquet")
    cells = profit_pools(load_atlas()).to_dict()["cells"]
    assert len(written) == len(cells) > 0
    assert written["value"].sum() == pytest.approx(sum(c["value"] or 0 for c in cells))
