"""The payback gap ("AI's $600B question"): the anchor, the capital charge, the yearly gap, the
implied payback and the grid, against values computed by hand (arithmetic in the comments)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from stackatlas.analysis.payback import (
    cahn_revenue_needed,
    capital_recovery_factor,
    life_weight,
    payback,
    payback_years,
    revenue_needed,
)
from stackatlas.analysis.payback_inputs import capex_vintages
from stackatlas.analysis.payback_params import PARAMETERS, load_payback_inputs
from stackatlas.atlas import load_atlas
from stackatlas.errors import ValidationError


def _capex(*rows: tuple[int, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "year": y,
                "capex": c,
                "capex_low": None,
                "capex_high": None,
                "capex_basis": "filings",
                "complete": True,
                "capex_evidence": "derived",
            }
            for y, c in rows
        ]
    )


SIMPLE = {  # every term easy to follow by hand
    "ai_share_of_capex": 1.0,
    "useful_life_years": 2,
    "cost_of_capital": 0.0,
    "cloud_cash_opex_share": 0.5,
    "end_user_gross_margin": 0.5,
}


def test_the_anchor_reproduces_sequoias_600b() -> None:
    # Cahn (Sequoia, 2024-06-20): $150B GPU run-rate x 2 (GPUs are half of the data-center
    # cost) x 2 (a 50% gross margin for the end user) = $600B
    assert cahn_revenue_needed(150, 2, 0.5) == 600
    result = payback(load_atlas(), capex=_capex((2025, 100.0)), grid=None)
    a = result.anchor
    assert (a["gpu_run_rate"], a["dc_cost_multiple"], a["end_user_gross_margin"]) == (150, 2, 0.5)
    assert a["revenue_needed"] == pytest.approx(600) == a["article_says"]
    # today: Nvidia's Q4 FY2026 data-center revenue 62.3 (atlas figure) x 4 = 249.2 -> 996.8
    assert a["today"]["gpu_run_rate"] == pytest.approx(249.2)
    assert a["today"]["revenue_needed"] == pytest.approx(996.8)


def test_capital_recovery_factor_by_hand() -> None:
    assert capital_recovery_factor(0, 5) == pytest.approx(0.2)  # plain depreciation
    # 0.10 / (1 - 1.1^-5) = 0.10 / (1 - 0.620921) = 0.263797
    assert capital_recovery_factor(0.10, 5) == pytest.approx(0.263797, abs=1e-6)
    need = revenue_needed(100, 5, 0.10, 0.5, 0.5)
    assert need["charge"] == pytest.approx(26.3797, abs=1e-4)
    assert need["cloud"] == pytest.approx(52.7595, abs=1e-4)  # / (1 - 0.5 opex)
    assert need["end_user"] == pytest.approx(105.519, abs=1e-3)  # / (1 - 0.5 margin)
    with pytest.raises(ValueError):
        capital_recovery_factor(0.1, 0)


def test_payback_years_by_hand() -> None:
    # 100 repaid by 20 a year: 5 years plain; at 10%: -ln(1 - 100 x 0.1 / 20) / ln 1.1
    # = 0.693147 / 0.0953102 = 7.2725
    plain, discounted = payback_years(100, 20, 0.10)
    assert plain == pytest.approx(5) and discounted == pytest.approx(7.2725, abs=1e-4)
    assert payback_years(100, 10, 0.10) == (pytest.approx(10), None)  # cash = cost of capital
    assert payback_years(100, 0, 0.10) == (None, None)
    assert payback_years(100, 25, 0.0) == (4, 4)


def test_fractional_life_charges_the_last_half_year() -> None:
    assert [life_weight(2025, v, 5.5) for v in (2025, 2021, 2020, 2019, 2026)] == [
        1.0,
        1.0,
        0.5,
        0.0,
        0.0,
    ]
    # steady state: 10 a year for six years, life 5.5, no cost of capital / opex / margin:
    # each vintage needs 10 / 5.5 a year; 2025 bears 5 full vintages + half of 2020 -> 10
    flat = {**SIMPLE, "useful_life_years": 5.5, "cloud_cash_opex_share": 0.0}
    flat["end_user_gross_margin"] = 0.0
    capex = _capex(*[(y, 10.0) for y in range(2020, 2026)])
    years = payback(load_atlas(), overrides=flat, capex=capex, grid=None).years.set_index("year")
    assert years.loc[2025, "needed"] == pytest.approx(10.0)
    assert bool(years.loc[2025, "needed_complete"])
    assert not bool(years.loc[2024, "needed_complete"])  # 2019 is not in the tracker


def test_gap_and_payback_on_hand_built_capex() -> None:
    # share 1, life 2, r 0, opex 0.5, margin 0.5: a vintage's charge is capex / 2, the cloud
    # needs charge / 0.5 = capex, the end user capex / 0.5 = 2 x capex a year for two years.
    # 2025 carries the 2024 vintage (2 x 100) and its own (2 x 200): 600.
    result = payback(load_atlas(), overrides=SIMPLE, capex=_capex((2024, 100.0), (2025, 200.0)))
    vintages = result.vintages.set_index("year")
    assert vintages.loc[2025, "charge"] == pytest.approx(100)
    assert vintages.loc[2025, "cloud_revenue_needed"] == pytest.approx(200)
    assert vintages.loc[2025, "end_user_revenue_needed"] == pytest.approx(400)
    years = result.years.set_index("year")
    assert years.loc[2025, "needed"] == pytest.approx(600)
    # AI revenue 2025: OpenAI 13 ((6 + 20) / 2, never the 20 ARR) + Anthropic 8.05 = 21.05
    assert years.loc[2025, "ai_revenue"] == pytest.approx(21.05)
    assert years.loc[2025, "gap"] == pytest.approx(600 - 21.05)
    assert years.loc[2025, "multiple"] == pytest.approx(600 / 21.05)
    p = result.payback
    assert p["year"] == 2025 and p["installed_ai_capex"] == pytest.approx(300)
    # cash to the infrastructure: 21.05 x (1 - 0.5) x (1 - 0.5) = 5.2625; 300 / 5.2625 = 57.01
    assert p["cash_to_infrastructure"] == pytest.approx(5.2625)
    assert p["payback_years"] == pytest.approx(300 / 5.2625)
    assert p["discounted_payback_years"] == pytest.approx(300 / 5.2625)  # r = 0
    assert p["within_life"] is False
    # at 10% the capital's cost alone (30 a year) is above the cash: never
    dear = payback(
        load_atlas(),
        overrides={**SIMPLE, "cost_of_capital": 0.1},
        capex=_capex((2024, 100.0), (2025, 200.0)),
        grid=None,
    )
    assert dear.payback["discounted_payback_years"] is None
    assert dear.payback["return_on_capital_needed"] == pytest.approx(30)


def test_revenue_counts_revenue_never_run_rates() -> None:
    result = payback(load_atlas(), capex=_capex((2025, 100.0)), grid=None)
    revenue = result.revenue
    counted = revenue[revenue["counted"]].set_index(["company", "year"])
    assert counted.loc[("openai", 2025), "value"] == pytest.approx(13.0)
    assert counted.loc[("anthropic", 2025), "value"] == pytest.approx(8.05)
    # (19 - 1) / ln 19 = 6.113 and (1 + 19) / 2 = 10: the estimate's range
    assert counted.loc[("anthropic", 2025), "low"] == pytest.approx(18 / math.log(19), abs=0.01)
    run_rates = revenue[~revenue["counted"]]
    assert set(run_rates["company"]) == {"openai", "anthropic", "microsoft"}
    assert run_rates["metric"].str.startswith("run-rate").all()


def test_sensitivity_grid_centre_is_the_result() -> None:
    result = payback(load_atlas(), capex=_capex((2024, 100.0), (2025, 200.0)))
    grid = result.sensitivity
    assert grid["rows"]["parameter"] == "useful_life_years"
    assert grid["columns"]["parameter"] == "cost_of_capital"
    # five points from low to high plus the central value: life 3..6 and 5.5; wacc 7..11%
    assert grid["rows"]["values"] == [3.0, 3.75, 4.5, 5.25, 5.5, 6.0]
    assert grid["columns"]["values"] == pytest.approx([0.07, 0.08, 0.09, 0.10, 0.11])
    centre = grid["needed"][4][2]
    assert centre == pytest.approx(result.years.set_index("year").loc[2025, "needed"])
    # a longer life or a cheaper capital needs less revenue
    assert grid["needed"][0][2] > centre > grid["needed"][5][2]
    assert grid["needed"][4][0] < centre < grid["needed"][4][4]


def test_parameters_are_sourced_or_assumptions_with_ranges() -> None:
    inputs = load_payback_inputs()
    atlas = load_atlas()
    assert set(inputs.parameters) == set(PARAMETERS)
    for p in inputs.parameters.values():
        assert p.low <= p.value <= p.high, p.key
        assert p.basis in ("sourced", "derived", "assumption"), p.key
        if p.basis != "assumption":
            assert p.source, p.key
        else:
            assert p.note and p.evidence == "scenario", p.key
    assert inputs.source_ids() <= set(atlas.sources) | set(inputs.sources)
    # the derived opex share, by hand from AWS 2024 (Amazon 10-K note 10, USD M)
    assert inputs.value("cloud_cash_opex_share") == pytest.approx(
        (67_722 - 13_320) / 107_556, abs=1e-3
    )


def test_overrides_are_scenario_and_bad_ones_name_the_key() -> None:
    inputs = load_payback_inputs({"useful_life_years": 4})
    assert inputs.parameters["useful_life_years"].basis == "override"
    assert inputs.parameters["useful_life_years"].evidence == "scenario"
    with pytest.raises(ValidationError) as info:
        load_payback_inputs({"useful_lfe": 4, "end_user_gross_margin": 1.0})
    columns = {p.column for p in info.value.problems}
    assert columns == {"useful_lfe", "end_user_gross_margin"}


def test_cli_payback_json_and_rich() -> None:
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    runner = CliRunner()
    result = runner.invoke(app, ["payback", "--json", "--set", "useful_life_years=4"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["anchor"]["revenue_needed"] == 600
    assert {"vintages", "years", "revenue", "payback", "sensitivity", "parameters"} <= set(payload)
    life = next(p for p in payload["parameters"] if p["key"] == "useful_life_years")
    assert (life["value"], life["basis"]) == (4, "override")
    rich = runner.invoke(
        app,
        ["payback", "--grid", "end_user_gross_margin,useful_life_years"],
        env={"COLUMNS": "160"},
    )
    assert rich.exit_code == 0, rich.output
    assert "AI's $600B question" in rich.output and "= 600" in rich.output
    bad = runner.invoke(app, ["payback", "--grid", "nope"])
    assert bad.exit_code == 2 and "ROW,COLUMN" in bad.output
    unknown = runner.invoke(app, ["payback", "--set", "wacc=0.1"])
    assert unknown.exit_code == 2 and "--set" in unknown.output


@pytest.mark.realdata
def test_payback_on_the_recorded_filings(shared_data, monkeypatch) -> None:
    """With the recorded SEC files, the capex side comes from the capex tracker (filings); the
    2025 gap is the tracker's big-4 AI capex need against 21.05 of sourced AI revenue."""
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    result = payback(load_atlas(), grid=None)
    vintages = result.vintages.set_index("year")
    # Alphabet 91.447 + Meta 69.691 + Microsoft (calendar 2025) from the filings, at least
    assert vintages.loc[2025, "capex"] >= 91.447 + 69.691
    assert vintages.loc[2026, "capex"] == 675  # the article's projection (650-700)
    years = result.years.set_index("year")
    assert years.loc[2025, "ai_revenue"] == pytest.approx(21.05)
    assert years.loc[2025, "needed"] > 10 * years.loc[2025, "ai_revenue"]
    assert result.payback["year"] == 2025 and result.payback["discounted_payback_years"] is None


def test_payback_without_sec_data_keeps_the_sourced_projection() -> None:
    """Regression: with no SEC data the tracker's 2026 was Microsoft's FY2026 capex alone
    (115.9, one member of four), which displaced the atlas's sourced big-4 projection for
    2026 (675, 650-700) and was labelled "filings". A partial sum now never replaces a group
    figure, and a sum of atlas figures says so. 2024: Amazon 82.999 + Alphabet 52.535 + Meta
    37.256 = 172.79 (their 10-K capex, as atlas figures), Microsoft missing."""
    vintages = capex_vintages(load_atlas()).set_index("year")
    assert vintages.loc[2026, "capex"] == 675
    assert (vintages.loc[2026, "capex_low"], vintages.loc[2026, "capex_high"]) == (650, 700)
    assert vintages.loc[2024, "capex"] == pytest.approx(172.79)
    assert not vintages.loc[2024, "complete"]
    assert vintages.loc[2024, "capex_basis"] == (
        "includes atlas figures (estimated); missing microsoft (a lower bound)"
    )
