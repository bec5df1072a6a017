"""Coverage: status per company, metric and year, a reason for every gap, and the same shares
as profit pools and capex."""

from __future__ import annotations

import json

import pytest

from stackatlas.analysis.capex import hyperscaler_capex
from stackatlas.analysis.coverage import COVERAGE_METRICS
from stackatlas.analysis.coverage_result import coverage
from stackatlas.analysis.profit_pools import profit_pools
from stackatlas.atlas import load_atlas
from stackatlas.resolver import Resolver
from stackatlas.resolver.atlas_provider import AtlasFiguresProvider


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


@pytest.fixture
def sec_dir(shared_data, monkeypatch):
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    return shared_data / "sec"


@pytest.mark.realdata
def test_every_company_has_a_status_and_every_gap_a_reason(atlas, sec_dir):
    cov = coverage(atlas)
    doc = cov.to_dict()
    assert [c["company"] for c in doc["companies"]] == list(atlas.companies)
    assert doc["years"] == ["CY2023", "CY2024", "CY2025"]  # NVIDIA FY2026 -> CY2025
    for company in doc["companies"]:
        cells = company["cells"]
        assert len(cells) == len(COVERAGE_METRICS) * 3
        for c in cells:
            if c["status"] == "missing":
                assert c["value"] is None and c["reason"] and c["fix"], (company["company"], c)
            else:
                assert c["value"] is not None and c["source"] and c["evidence"] != "unresolved"
    json.dumps(doc)  # serialisable as is


@pytest.mark.realdata
def test_tsmc_2024_resolves_from_its_20f_and_pools_use_it(atlas, sec_dir):
    cov = coverage(atlas, year=2024)
    tsmc = cov.cells[(cov.cells.company == "tsmc") & (cov.cells.metric == "revenue")].iloc[0]
    # TSMC 20-F 2024 (0001193125-25-083423): revenue US$88,268.0M, its convenience translation
    assert tsmc["value"] == pytest.approx(88_268.0e6)
    assert (tsmc["source"], tsmc["evidence"]) == ("sec-companyfacts", "reported")
    assert "translation in filing 0001193125-25-083423 (32.79 TWD per USD" in tsmc["basis"]
    pools = profit_pools(atlas, year=2024)
    chips = pools.cells[(pools.cells.group == "chips") & (pools.cells.metric == "revenue")]
    assert "tsmc" in chips.iloc[0]["contributors"]


@pytest.mark.realdata
@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_pools_shares_match_coverage(atlas, sec_dir, year):
    cov = coverage(atlas, year=year)
    # the full view sums every company with data that year (the panel view keeps one fixed
    # set across years, so its per-year share is the panel's, not the year's)
    pools = profit_pools(atlas, year=year, view="full")
    for metric in COVERAGE_METRICS:
        for layer in atlas.layer_ids:
            share = cov.layer_share(layer, year, metric)
            cell = pools.cells[
                (pools.cells.group == layer)
                & (pools.cells.period == str(year))
                & (pools.cells.metric == metric)
            ].iloc[0]
            assert cell["coverage"] == pytest.approx(share["companies_share"]), (layer, metric)
            assert sorted(cell["missing"]) == share["missing"], (layer, metric)
            cited = pools.coverage[
                (pools.coverage.layer == layer)
                & (pools.coverage.year == year)
                & (pools.coverage.metric == metric)
            ].iloc[0]
            assert cited["weight_share"] == pytest.approx(share["weight_share"])
    assert pools.coverage_line(str(year)) == cov.line(year)


@pytest.mark.realdata
def test_capex_coverage_matches(atlas, sec_dir):
    cov = coverage(atlas)
    capex = hyperscaler_capex(atlas)
    cells = cov.cells.set_index(["company", "metric", "year"])
    for r in capex.coverage.itertuples():
        members = list(atlas.groups[r.group].members)
        both = [
            m
            for m in members
            if cells.loc[(m, "capex", r.year), "status"] == "resolved"
            and cells.loc[(m, "operating_cash_flow", r.year), "status"] == "resolved"
        ]
        assert r.resolved == len(both) and r.missing == [m for m in members if m not in both]


def test_without_providers_the_gap_says_what_would_resolve_it(atlas):
    cov = coverage(atlas, years=[2023], resolver=Resolver(atlas, [AtlasFiguresProvider(atlas)]))
    samsung = cov.cells[(cov.cells.company == "samsung") & (cov.cells.metric == "revenue")]
    assert samsung.iloc[0]["reason"] == "not an SEC filer"
    assert samsung.iloc[0]["fix"].startswith("enable the Yahoo Finance provider (--provider yahoo)")
    nvidia = cov.cells[(cov.cells.company == "nvidia") & (cov.cells.metric == "capex")].iloc[0]
    assert nvidia["reason"].startswith("SEC filer (CIK 1045810) without facts at hand")
    assert "CIK0001045810.json" in nvidia["fix"]
    private = cov.cells[(cov.cells.company == "anthropic")].iloc[0]
    assert private["reason"].startswith("private company")


@pytest.mark.realdata
def test_cli_json_and_provider_switch(sec_dir):
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    runner = CliRunner()
    out = runner.invoke(
        app,
        ["coverage", "--layer", "2", "--year", "2023", "--provider", "csv:examples/figures.csv"],
        env={"COLUMNS": "160"},
    )
    assert out.exit_code == 0, out.output
    # chips players resolved in 2023: NVIDIA, TSMC (SEC files) and Samsung (the example CSV)
    chips = coverage_line_chips_2023()
    assert chips in out.stdout.replace("\n", " ")
    assert "sec-companyfacts -> sec-filing -> user-csv -> atlas" in out.stdout
    doc = json.loads(
        runner.invoke(app, ["coverage", "--json", "--year", "2024", "--layer", "chips"]).stdout
    )
    assert doc["years"] == ["CY2024"] and doc["layer"] == "chips"
    assert len(doc["companies"]) == doc["layers"][0]["companies"]
    bad = runner.invoke(app, ["coverage", "--provider", "bloomberg-terminal"])
    assert bad.exit_code == 2 and "unknown provider 'bloomberg-terminal'" in bad.output


@pytest.mark.realdata
def test_run_prints_the_coverage_line(sec_dir, tmp_path):
    from stackatlas.pipeline import run_main_job
    from stackatlas.store import Store

    with Store(tmp_path / "s.duckdb") as store:
        result = run_main_job(load_atlas(), report_path=None, store=store, progress=False)
    assert result.coverage_line is not None
    assert result.coverage_line.startswith("coverage CY2025 (revenue): energy 0/20 (0% of weight)")


def coverage_line_chips_2023() -> str:
    from stackatlas.analysis.coverage import players

    atlas = load_atlas()
    roster = players(atlas)
    chips = roster[roster["layer"] == "chips"]
    resolved = {"nvidia", "tsmc", "samsung"}
    weight = chips.loc[chips["company"].isin(resolved), "weight"].sum() / chips["weight"].sum()
    return f"chips 3/{len(chips)} ({weight:.0%} of weight)"


def test_export_writes_the_flat_cells(atlas, tmp_path):
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    out = CliRunner().invoke(
        app, ["coverage", "--year", "2023", "--layer", "models", "--csv", str(tmp_path / "c.csv")]
    )
    assert out.exit_code == 0, out.output
    import pandas as pd

    cells = pd.read_csv(tmp_path / "c.csv")
    models = coverage(atlas, year=2023, layer="models")
    assert len(cells) == len(models.cells) and set(cells["status"]) <= {"resolved", "missing"}
    assert (tmp_path / "c.layers.csv").is_file()
