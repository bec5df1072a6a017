"""analyze_portfolio end to end on the miniature atlas; profile gap table; CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import DataUnavailableError, NotFoundError
from stackatlas.portfolio import analyze_portfolio
from stackatlas.portfolio.profiles import compare_profile, get_profile, levels, load_profiles


def test_profile_gap_table(atlas: Atlas, fixtures: Path) -> None:
    report = analyze_portfolio(
        fixtures / "portfolio" / "three_holdings.csv", atlas=atlas, profile="balanced"
    )
    gaps = report.gaps.set_index("layer")
    # stack exposure 0.91: chips 0.75 / 0.91 = 0.8242, energy 0.16 / 0.91 = 0.1758.
    # balanced ranges (profiles.yaml): energy 10-25%, chips 25-40%, cloud 25-40%,
    # models 0-10%, applications 10-25%.
    assert gaps.loc["energy", "status"] == "within" and gaps.loc["energy", "gap"] == 0
    assert gaps.loc["chips", "status"] == "above"
    assert gaps.loc["chips", "gap"] == pytest.approx(0.75 / 0.91 - 0.40)
    assert gaps.loc["cloud", "status"] == "below"
    assert gaps.loc["cloud", "gap"] == pytest.approx(-0.25)
    assert gaps.loc["models", "status"] == "within"
    assert gaps.loc["applications", "gap"] == pytest.approx(-0.10)
    summary = report.to_dict()["gap_summary"]
    # the gap is in percentage points of stack exposure (82.4% - 40%), said so since QA
    assert (
        summary[0] == "chips (level 2, boss fight): 82% of stack exposure, 42 points over "
        "the balanced range 25%-40%"
    )
    assert report.disclaimer == "Educational analysis, not investment advice."


def test_profiles_are_labelled_editorial_and_consistent() -> None:
    text = (Path(__file__).parents[2] / "src/stackatlas/data/profiles.yaml").read_text()
    assert "EDITORIAL ASSUMPTIONS" in text and "NOT INVESTMENT ADVICE" in text
    profiles = load_profiles()
    assert list(profiles) == ["conservative", "balanced", "aggressive"]
    for p in profiles.values():
        assert set(p.targets) == {"energy", "chips", "cloud", "models", "applications"}
        assert (
            sum(lo for lo, _ in p.targets.values()) <= 1 <= sum(hi for _, hi in p.targets.values())
        )
    with pytest.raises(NotFoundError, match="did you mean: balanced"):
        get_profile("balancd")
    from stackatlas.atlas import load_atlas

    assert "source: marsbit-2026-03-16" in text  # the article's id in the shipped atlas
    assert "marsbit-2026-03-16" in load_atlas().sources


def test_bad_profile_file(tmp_path: Path) -> None:
    from stackatlas.errors import ValidationError

    f = tmp_path / "p.yaml"
    f.write_text("profiles:\n  x:\n    targets:\n      chips: [0.5, 0.2]\n")
    with pytest.raises(ValidationError, match=r"x\.chips"):
        load_profiles(f)


def test_levels_come_from_atlas(atlas: Atlas) -> None:
    lv = levels(atlas)
    assert list(lv["level_name"]) == [
        "newbie level",
        "boss fight",
        "multiplayer server",
        "PvP arena",
        "open world",
    ]
    assert lv.loc[0, "risk"] == "risk of energy"


def test_unknown_ticker_rest_analysed(atlas: Atlas, write_csv) -> None:
    path = write_csv("Symbol,Market Value\nNVDA,5000\nNVDQ,1000\nTSM,3000\nCEG,1000\n")
    report = analyze_portfolio(path, atlas=atlas)
    assert [(u.line, u.ticker) for u in report.unknown] == [(3, "NVDQ")]
    assert report.unknown[0].suggestions[0] == "NVDA (NVIDIA)"
    assert report.unmapped_share == pytest.approx(0.1)
    assert "10.0% of the portfolio is not mapped to atlas companies" in report.notes
    layers = report.layers.set_index("layer")["exposure"]
    assert layers["chips"] == pytest.approx(0.5 * 0.9 + 0.3)  # the rest still analysed
    assert compare_profile(report.layers, get_profile("aggressive")).shape[0] == 5


def test_weights_not_summing_to_one_are_rescaled(atlas: Atlas, write_csv) -> None:
    report = analyze_portfolio(write_csv("ticker,weight\nNVDA,0.3\nCEG,0.3\n"), atlas=atlas)
    assert "weights sum to 60.0%; rescaled to 100%" in report.notes
    assert report.layers.set_index("layer").loc["energy", "exposure"] == pytest.approx(0.4)


def test_adr_and_local_listing_in_a_file(atlas: Atlas, fixtures: Path) -> None:
    report = analyze_portfolio(fixtures / "portfolio" / "broker_export.csv", atlas=atlas)
    h = report.holdings.set_index("line")
    assert h.loc[5, "company"] == "tsmc" and h.loc[5, "ticker"] == "2330.TW"
    assert h.loc[8, "kind"] == "cash"
    # NVDA held in two accounts: 5000 + 1000 of 12000 total (cash 1000 included)
    top = report.top_names.set_index("company")
    assert top.loc["nvidia", "weight"] == pytest.approx(6000 / 12000)
    assert report.layers.set_index("layer").loc["cash", "exposure"] == pytest.approx(1 / 12)


def test_shares_with_prices_dir_and_risk(atlas: Atlas, fixtures: Path, write_csv) -> None:
    path = write_csv("ticker,shares\nNVDA,40\nTSM,6\nCEG,10\n")
    # latest adjusted closes: NVDA 12.5, TSM 53, CEG 21.2 -> 500, 318, 212 (total 1030)
    report = analyze_portfolio(path, atlas=atlas, prices_dir=fixtures / "portfolio" / "prices")
    w = report.holdings.set_index("ticker")["weight"]
    assert w["NVDA"] == pytest.approx(500 / 1030)
    assert w["CEG"] == pytest.approx(212 / 1030)
    assert report.risk is not None
    assert "portfolio" in set(report.risk.stats["name"])
    payload = json.loads(json.dumps(report.to_dict()))  # JSON-safe
    assert payload["risk"]["benchmark"] == "SPY"
    # the valuation date is stated (fixture series end 2026-01-12): old closes = old weights
    assert (
        "share counts valued at each listing's latest close in the price data "
        "(2026-01-12)" in report.notes
    )


def test_local_listing_not_priced_with_the_adr(atlas: Atlas, fixtures: Path, write_csv) -> None:
    # the prices folder has TSM (the ADR) but not 2330.TW: shares of 2330.TW stay unpriced
    path = write_csv("ticker,shares\n2330.TW,10\nNVDA,5\n")
    report = analyze_portfolio(path, atlas=atlas, prices_dir=fixtures / "portfolio" / "prices")
    w = report.holdings.set_index("ticker")["weight"]
    assert w["NVDA"] == 1.0 and w.isna()["2330.TW"]
    assert any("2330.TW (line 2)" in n and "left out" in n for n in report.notes)
    # given as weights, its returns come from the ADR series, and the notes say so
    path = write_csv("ticker,weight\n2330.TW,0.5\nNVDA,0.5\n", name="w.csv")
    report = analyze_portfolio(path, atlas=atlas, prices_dir=fixtures / "portfolio" / "prices")
    assert report.risk is not None
    assert any("returns of 2330.TW taken from TSM" in n for n in report.risk.notes)


def test_shares_offline_without_prices(atlas: Atlas, write_csv) -> None:
    with pytest.raises(DataUnavailableError, match="weights need prices"):
        analyze_portfolio(write_csv("ticker,shares\nNVDA,40\n"), atlas=atlas)


def test_etf_look_through_in_report(atlas: Atlas, fixtures: Path, write_csv) -> None:
    path = write_csv("ticker,weight\nEXMP,0.5\nCEG,0.5\n")
    report = analyze_portfolio(
        path, atlas=atlas, etf_holdings=[f"EXMP={fixtures / 'portfolio' / 'ishares_fund.csv'}"]
    )
    assert report.funds[0]["as_of"] == "2026-03-16"
    assert [u.ticker for u in report.unknown_in_funds] == ["ZZZZ"]
    top = report.top_names.set_index("name")
    assert top.loc["NVIDIA", "via_funds"] == pytest.approx(0.25)
    assert report.layers.set_index("layer").loc["chips", "exposure"] == pytest.approx(0.375)


def test_weighted_scenario_impact_by_hand() -> None:
    import pandas as pd

    from stackatlas.portfolio.scenario_impact import weighted_impact

    table = pd.DataFrame(
        {
            "company": ["nvidia", "tsmc", "amd"],
            "name": ["N", "T", "A"],
            "par": [0.04, 0.10, 0.5],
            "p5": [0.01, 0.05, 0.1],
            "p50": [0.03, 0.09, 0.4],
            "p95": [0.08, 0.2, 0.9],
        }
    )
    summary, contrib = weighted_impact(
        "quake", "Quake", table, {"nvidia": 0.5, "tsmc": 0.3, "constellation": 0.2}
    )
    assert summary["profit_at_risk"] == pytest.approx(0.5 * 0.04 + 0.3 * 0.10)  # 0.05
    assert summary["p5"] == pytest.approx(0.5 * 0.01 + 0.3 * 0.05)
    assert summary["p95"] == pytest.approx(0.5 * 0.08 + 0.3 * 0.2)
    assert summary["covered"] == pytest.approx(0.8)  # constellation not in the result
    assert [c["company"] for c in contrib] == ["nvidia", "tsmc"]


def test_scenario_impact_with_the_engine(write_csv) -> None:
    """Shipped atlas + shipped scenario: the portfolio figure is the weighted company figure."""
    from stackatlas.atlas import load_atlas
    from stackatlas.scenarios import list_scenarios, run_scenario

    atlas = load_atlas()
    name = list_scenarios()[0]["name"]
    report = analyze_portfolio(
        write_csv("ticker,weight\nTSM,0.6\nNVDA,0.4\n"),
        atlas=atlas,
        scenario=name,
        draws=10,
        seed=3,
    )
    assert report.scenario is not None
    row = report.scenario.summary.iloc[0]
    comp = run_scenario(name, atlas=atlas, draws=10, seed=3).companies.set_index("company")
    ts, nv = atlas.company_by_ticker("TSM").id, atlas.company_by_ticker("NVDA").id
    expected = (
        0.6 * comp.loc[ts, "revenue_at_risk_pct"] + 0.4 * comp.loc[nv, "revenue_at_risk_pct"]
    ) / 100
    assert row["profit_at_risk"] == pytest.approx(expected)
    assert row["p5"] <= row["p50"] <= row["p95"]
    assert row["covered"] == pytest.approx(1.0)


def test_cli_json_and_errors(atlas: Atlas, fixtures: Path, write_csv, monkeypatch) -> None:
    from stackatlas.cli.app import app
    from stackatlas.portfolio import report as report_mod

    monkeypatch.setattr(report_mod, "_atlas", lambda a: atlas)
    runner = CliRunner()
    ok = runner.invoke(
        app, ["portfolio", "analyze", str(fixtures / "portfolio" / "three_holdings.csv"), "--json"]
    )
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["layers"][1]["layer"] == "chips"
    assert data["layers"][1]["exposure"] == pytest.approx(0.75)
    table = runner.invoke(
        app,
        [
            "portfolio",
            "analyze",
            str(fixtures / "portfolio" / "three_holdings.csv"),
            "--prices",
            str(fixtures / "portfolio" / "prices"),
        ],
    )
    assert table.exit_code == 0, table.output
    assert "boss fight" in table.stdout and "Market risk (benchmark SPY)" in table.stdout
    bad = runner.invoke(app, ["portfolio", "analyze", str(write_csv("ticker,shares\nX,-1\n"))])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output and "negative shares" in bad.output
    assert "[shares]: negative shares" in bad.output  # column kept (markup escaped)


def test_rich_rendering_of_every_part(fixtures: Path, write_csv) -> None:
    from rich.console import Console

    from stackatlas.atlas import load_atlas

    path = write_csv("ticker,weight\nEXMP,0.5\nTSM,0.3\nNVDQ,0.1\nCASH,0.1\n")
    report = analyze_portfolio(
        path,
        atlas=load_atlas(),
        scenario="all",
        draws=5,
        prices_dir=fixtures / "portfolio" / "prices",
        etf_holdings=[f"EXMP={fixtures / 'portfolio' / 'ishares_fund.csv'}"],
    )
    console = Console(record=True, width=140)
    console.print(report)
    text = console.export_text()
    for expected in (
        "Educational analysis, not investment advice.",
        "Gaps to the profile",
        "Scenario profit at risk",
        "Looked through EXMP",
        "ZZZZ",
        "line 4: ticker 'NVDQ' is not in the atlas",
        "Correlation of daily returns",
        "short window (5 daily returns)",
    ):
        assert expected in text, expected


def test_profiles_command() -> None:
    from stackatlas.cli.app import app

    runner = CliRunner()
    out = runner.invoke(app, ["portfolio", "profiles", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [lv["layer"] for lv in data["levels"]] == [
        "energy",
        "chips",
        "cloud",
        "models",
        "applications",
    ]
    assert data["profiles"]["balanced"]["targets"]["chips"] == [0.25, 0.40]
    table = runner.invoke(app, ["portfolio", "profiles"])
    assert table.exit_code == 0 and "Ranges are editorial assumptions" in table.stdout


def test_every_portfolio_command_has_help_and_a_readme_entry() -> None:
    from stackatlas.cli.portfolio_cmds import portfolio_app

    readme = (Path(__file__).parents[2] / "docs" / "commands" / "portfolio.md").read_text(
        encoding="utf-8"
    )
    section = readme.split("<!-- section: portfolio -->")[1].split("<!-- /section: portfolio")[0]
    for cmd in portfolio_app.registered_commands:
        assert (cmd.callback.__doc__ or "").strip(), cmd.name
        assert f"stackatlas portfolio {cmd.name}" in section, cmd.name


def test_markup_in_a_ticker_prints_as_written(atlas: Atlas, write_csv) -> None:
    """Regression: a ticker cell '[/bold]' crashed the table with rich's MarkupError, and an
    unknown name's layer printed as 'nan'."""
    from rich.console import Console

    report = analyze_portfolio(write_csv("ticker,weight\nNVDA,0.5\n[/bold],0.5\n"), atlas=atlas)
    console = Console(record=True, width=140)
    console.print(report)
    text = console.export_text()
    assert "[/BOLD]" in text and "line 3: ticker '[/bold]' is not in the atlas" in text
    assert "nan" not in text
