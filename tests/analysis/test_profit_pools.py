"""Profit pools: a hand-computed two-company example, calendar alignment, evidence, real data."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackatlas.analysis.profit_pools import pool_cells, profit_pools, thesis_table
from stackatlas.errors import DataUnavailableError, ValidationError
from tests.builders import figure, frames_resolver, fundamentals_frame, money_atlas, use_frames

B = 1e9
LAYER_OF = {
    "utilities": "energy",
    "design-gpu": "chips",
    "hyperscalers": "cloud",
    "frontier-labs": "models",
    "consumer-platforms": "applications",
}
ORDER = ["energy", "chips", "cloud", "models", "applications"]


def _metrics() -> pd.DataFrame:
    rows = []
    # chipco: 100% in design-gpu; cloudco: 40% hyperscalers, 50% consumer platforms.
    for metric, chip, cloud in [
        ("revenue", 100, 200),
        ("gross_profit", 70, 120),
        ("operating_income", 60, 50),
        ("capex", 5, 40),
        ("operating_cash_flow", 55, 80),
        ("free_cash_flow", 50, 40),
    ]:
        rows.append(("chipco", metric, "2025", chip * B, "reported"))
        rows.append(("cloudco", metric, "2025", cloud * B, "reported"))
    rows.append(("labco", "revenue", "2025", 10 * B, "estimated"))
    rows.append(("labco", "free_cash_flow", "2025", -8 * B, "estimated"))
    return pd.DataFrame(rows, columns=["company_id", "metric", "period", "value", "evidence"])


def _memberships() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("chipco", "design-gpu", 1.0, "estimate"),
            ("cloudco", "hyperscalers", 0.4, "estimate"),
            ("cloudco", "consumer-platforms", 0.5, "estimate"),
            ("labco", "frontier-labs", 1.0, "estimate"),
            ("gridco", "utilities", 1.0, "estimate"),
        ],
        columns=["company", "segment", "weight", "basis"],
    )


def _cell(cells: pd.DataFrame, group: str, metric: str) -> pd.Series:
    hit = cells[(cells["group"] == group) & (cells["metric"] == metric)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_two_company_pools_hand_computed() -> None:
    cells = pool_cells(_metrics(), _memberships(), LAYER_OF)
    # chips = 100% of chipco: revenue 100, operating income 60, margin 60/100.
    chips = _cell(cells, "chips", "revenue")
    assert chips["value"] == pytest.approx(100.0)
    assert chips["evidence"] == "reported"  # weight 1: evidence unchanged
    assert chips["contributors"] == ["chipco"] and chips["coverage"] == 1.0
    assert _cell(cells, "chips", "operating_margin")["value"] == pytest.approx(0.60)
    # cloud = 40% of cloudco: revenue 0.4 * 200 = 80, capex 0.4 * 40 = 16, capex/rev 0.2.
    cloud = _cell(cells, "cloud", "revenue")
    assert cloud["value"] == pytest.approx(80.0)
    assert cloud["evidence"] == "estimated"  # fractional estimated weight
    assert cloud["estimated"] == ["cloudco"]
    assert _cell(cells, "cloud", "capex")["value"] == pytest.approx(16.0)
    assert _cell(cells, "cloud", "capex_intensity")["value"] == pytest.approx(0.2)
    assert _cell(cells, "cloud", "capex_to_ocf")["value"] == pytest.approx(40 / 80)
    # applications = 50% of cloudco: operating income 25.
    assert _cell(cells, "applications", "operating_income")["value"] == pytest.approx(25.0)


def test_missing_inputs_are_unresolved_never_zero() -> None:
    cells = pool_cells(_metrics(), _memberships(), LAYER_OF)
    energy = _cell(cells, "energy", "revenue")
    assert energy["value"] is None and energy["evidence"] == "unresolved"
    assert energy["missing"] == ["gridco"] and energy["coverage"] == 0.0
    models_oi = _cell(cells, "models", "operating_income")
    assert models_oi["value"] is None and models_oi["symbol"] == "?"
    models_margin = _cell(cells, "models", "operating_margin")
    assert models_margin["value"] is None and models_margin["evidence"] == "unresolved"
    # labco's burn (FCF -8) comes without operating cash flow or capex: cash cells sum only
    # companies with both, so free cash flow = cash flow - capex in every cell
    burn = _cell(cells, "models", "free_cash_flow")
    assert burn["value"] is None and burn["missing"] == ["labco"]
    cloud = {m: _cell(cells, "cloud", m)["value"] for m in ("operating_cash_flow", "capex")}
    assert _cell(cells, "cloud", "free_cash_flow")["value"] == pytest.approx(
        cloud["operating_cash_flow"] - cloud["capex"]
    )


def test_segment_pools_and_sum_evidence() -> None:
    cells = pool_cells(_metrics(), _memberships(), LAYER_OF, by="segment")
    hyper = _cell(cells, "hyperscalers", "operating_income")
    assert hyper["value"] == pytest.approx(20.0) and hyper["layer"] == "cloud"
    # two reported contributors at weight 1 -> a sum is derived, not reported
    both = pd.DataFrame(
        [("a", "revenue", "2025", 1 * B, "reported"), ("b", "revenue", "2025", 2 * B, "reported")],
        columns=["company_id", "metric", "period", "value", "evidence"],
    )
    mem = pd.DataFrame(
        [("a", "design-gpu", 1.0, "estimate"), ("b", "design-gpu", 1.0, "actual")],
        columns=["company", "segment", "weight", "basis"],
    )
    total = _cell(pool_cells(both, mem, LAYER_OF), "chips", "revenue")
    assert total["value"] == pytest.approx(3.0) and total["evidence"] == "derived"


def test_thesis_shares_hand_computed() -> None:
    cells = pool_cells(_metrics(), _memberships(), LAYER_OF)
    thesis = thesis_table(cells, ORDER).set_index("layer")
    # operating income: chips 60, cloud 20, applications 25 -> total 105 (energy, models unknown)
    assert thesis.loc["chips", "operating_profit_share"] == pytest.approx(60 / 105)
    assert thesis.loc["chips", "total_covers"] == ["chips", "cloud", "applications"]
    # revenue: chips 100, cloud 80, models 10, applications 100 -> 290
    assert thesis.loc["chips", "revenue_share"] == pytest.approx(100 / 290)
    # profit per dollar of end-user (applications) revenue: chips 60/100, cloud 20/100
    assert thesis.loc["chips", "profit_per_end_user_dollar"] == pytest.approx(0.60)
    assert thesis.loc["cloud", "profit_per_end_user_dollar"] == pytest.approx(0.20)
    assert thesis.loc["models", "operating_profit_share"] is None
    assert thesis.loc["chips", "evidence"] == "estimated"  # totals include estimated layers


def test_bad_grouping_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        pool_cells(_metrics(), _memberships(), LAYER_OF, by="country")


def test_wrapper_mixes_sec_and_figures_and_lists_uncovered() -> None:
    atlas = money_atlas(
        figures=[
            figure("labco-rev", "labco", "revenue", 13.0, "2025"),
            figure("labco-burn", "labco", "cash_burn", 9.0, "2025"),
        ]
    )
    frames = {
        "chipco": fundamentals_frame(
            [
                ("revenue", 2025, "FY", "2025-01-01", "2025-12-31", 100 * B),
                ("operating_income", 2025, "FY", "2025-01-01", "2025-12-31", 60 * B),
            ]
        ),
    }
    pools = profit_pools(atlas, resolver=frames_resolver(atlas, frames))
    assert set(pools.not_covered) == {"cloudco", "gridco"}
    assert "no SEC facts" in pools.not_covered["cloudco"]
    cells = pools.cells[pools.cells["period"] == "2025"]
    assert _cell(cells, "chips", "revenue")["value"] == pytest.approx(100.0)
    # burn 9 -> FCF -9 is resolved (an estimate) but has no cash flow / capex beside it, so
    # the cash cells leave it out rather than break FCF = OCF - capex
    assert pools.inputs.set_index(["company_id", "metric"]).loc[
        ("labco", "free_cash_flow"), "value"
    ] == pytest.approx(-9e9)
    assert _cell(cells, "models", "free_cash_flow")["value"] is None
    assert _cell(cells, "cloud", "revenue")["value"] is None
    wide = pools.wide("2025").set_index("group")
    assert wide.loc["models", "revenue"] == pytest.approx(13.0)
    assert pools.to_dict()["cells"][0]["period"] == "2025"


@pytest.mark.realdata
def test_real_alphabet_meta_microsoft_pools(shared_data, monkeypatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    from stackatlas.atlas.models import Membership
    from tests.builders import company

    d = pd.Timestamp("2026-03-16").date()
    atlas = money_atlas(
        companies=[
            company("alphabet", 1652044),
            company("meta", 1326801),
            company("microsoft", 789019),
        ],
        memberships=[
            Membership(company=c, segment="hyperscalers", weight=1.0, as_of=d, source="src")
            for c in ("alphabet", "meta", "microsoft")
        ],
    )
    pools = profit_pools(atlas, year=2025)
    capex = _cell(pools.cells, "cloud", "capex")
    # Alphabet 91,447 + Meta 69,691 (10-Ks for 2025) + Microsoft calendar 2025 from its 10-Qs /
    # 10-K: 16,745 + (64,551 - 47,472) + 19,394 + 29,876 = 83,094  ->  244,232 $M
    assert capex["value"] == pytest.approx(244.232, abs=1e-3)
    assert capex["evidence"] == "derived"
    ratio = _cell(pools.cells, "cloud", "capex_to_ocf")
    # OCF 164,713 + 115,800 + (37,044 + 42,647 + 45,057 + 35,758 = 160,506) = 441,019
    assert ratio["value"] == pytest.approx(244_232 / 441_019, abs=1e-5)


def test_zero_weight_member_is_not_a_contributor() -> None:
    mem = pd.concat(
        [
            _memberships(),
            pd.DataFrame(
                [("chipco", "frontier-labs", 0.0, "actual")],
                columns=["company", "segment", "weight", "basis"],
            ),
        ],
        ignore_index=True,
    )
    cells = pool_cells(_metrics(), mem, LAYER_OF)
    models_rev = _cell(cells, "models", "revenue")
    assert models_rev["value"] == pytest.approx(10.0)  # labco only; chipco adds no zero
    assert models_rev["contributors"] == ["labco"] and "chipco" not in models_rev["missing"]


def _fake_pools(monkeypatch):
    atlas = money_atlas(figures=[figure("labco-rev", "labco", "revenue", 13.0, "2025")])
    frames = {
        "chipco": fundamentals_frame(
            [("operating_income", 2025, "FY", "2025-01-01", "2025-12-31", 60 * B)]
        ),
        "cloudco": fundamentals_frame(
            [("operating_income", 2025, "FY", "2025-01-01", "2025-12-31", 50 * B)]
        ),
    }
    use_frames(monkeypatch, atlas, frames)
    return atlas


def test_profit_pool_chart_hatches_estimates_and_skips_unresolved(monkeypatch) -> None:
    from stackatlas.charts.money import profit_pool_chart

    pools = profit_pools(_fake_pools(monkeypatch))
    fig = profit_pool_chart(pools, "operating_income")
    traces = {t.name: t for t in fig.data}
    # chips: chipco at weight 1 -> firm bar 60; cloud: 40% of cloudco's 50 = 20, estimated
    assert list(traces["chips"].y) == [pytest.approx(60.0)]
    assert list(traces["cloud (estimated)"].y) == [pytest.approx(20.0)]
    assert traces["cloud (estimated)"].marker.pattern.shape == "/"
    assert list(traces["energy"].y) == [None]  # no data: no bar, never a zero
    assert "energy" in fig.layout.title.text
    assert list(traces["chips"].x) == ["CY2025"]


def test_pool_chart_draws_coverage_so_a_partial_year_is_not_a_collapse() -> None:
    """Regression: the /pools chart drew a year where most companies had no filing yet as a
    collapse. The coverage panel shows how much of each layer the bars hold."""
    from stackatlas.charts.money import profit_pool_chart

    atlas = money_atlas(figures=[])
    frames = {
        "chipco": fundamentals_frame(
            [
                ("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 100 * B),
                ("revenue", 2025, "FY", "2025-01-01", "2025-12-31", 110 * B),
            ]
        ),
        "cloudco": fundamentals_frame(
            [("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 200 * B)]
        ),
    }
    resolver = frames_resolver(atlas, frames)
    full = profit_pools(atlas, resolver=resolver, view="full")
    fig = profit_pool_chart(full, "revenue")
    traces = {t.name: t for t in fig.data}
    # applications = 50% of cloudco: 100 in 2024, nothing in 2025 (no filing yet)
    assert list(traces["applications (estimated)"].y)[:2] == [pytest.approx(100.0), None]
    cov = traces["applications coverage"]
    # 2024: all of its known revenue weight; 2025: none of it (cloudco's size is its 2024)
    assert cov.yaxis == "y2" and list(cov.y)[:2] == [pytest.approx(1.0), pytest.approx(0.0)]
    assert any("-cloudco" in a.text for a in fig.layout.annotations)
    assert "full view" in fig.layout.title.text
    panel = profit_pool_chart(profit_pools(atlas, resolver=resolver), "revenue")
    assert "same companies every year" in panel.layout.title.text


def test_cli_pools_json_and_bad_year(monkeypatch) -> None:
    import json

    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    atlas = _fake_pools(monkeypatch)
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: atlas)
    runner = CliRunner()
    out = runner.invoke(app, ["pools", "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    chips = next(
        c for c in body["cells"] if c["group"] == "chips" and c["metric"] == "operating_income"
    )
    assert chips["value"] == pytest.approx(60.0) and chips["evidence"] == "reported"
    table = runner.invoke(app, ["pools", "--by", "segment"])
    assert table.exit_code == 0 and "design-gpu" in table.output
    bad = runner.invoke(app, ["pools", "--year", "last"])
    assert bad.exit_code == 2
    bad_by = runner.invoke(app, ["pools", "--by", "country"])
    assert bad_by.exit_code == 2 and "layer" in bad_by.output


def test_cli_pools_explain_lists_each_company_part(monkeypatch) -> None:
    """--explain shows the parts a layer's cell is summed from: cloud = 40% of cloudco's
    operating income 50 (atlas weight, estimated), chips = chipco whole (reported)."""
    import json

    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    atlas = _fake_pools(monkeypatch)
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: atlas)
    runner = CliRunner()
    out = runner.invoke(app, ["pools", "--explain", "cloud", "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["group"] == "cloud" and body["period"] == "CY2025"
    (part,) = [p for p in body["parts"] if p["metric"] == "operating_income"]
    assert part["company_id"] == "cloudco" and part["value"] == pytest.approx(20.0)
    assert part["evidence"] == "estimated" and part["rule"] == "atlas weight"
    assert body["totals"]["operating_income"] == pytest.approx(20.0)
    assert body["totals"]["revenue"] is None  # no revenue known: empty, never 0
    table = runner.invoke(app, ["pools", "--explain", "chips"])
    assert table.exit_code == 0 and "whole company" in table.output
    bad = runner.invoke(app, ["pools", "--explain", "clouds"])
    assert bad.exit_code == 2 and "cloud" in bad.output


def test_year_without_data_is_an_error_not_an_empty_table(monkeypatch) -> None:
    atlas = _fake_pools(monkeypatch)
    with pytest.raises(DataUnavailableError, match="1990"):
        profit_pools(atlas, year=1990)
    assert set(profit_pools(atlas, year=2025).cells["period"]) == {"2025"}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.sampled_from(sorted(LAYER_OF)),
            st.sampled_from([0.0, 0.25, 0.5, 1.0]),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]), st.floats(-50, 500, allow_nan=False), max_size=4
    ),
)
def test_layer_sums_equal_weighted_company_values(mem_rows, revenue) -> None:
    """Invariant: a layer's revenue = sum of weight x revenue of its exposed companies with
    data; a layer where none has data is None (unresolved), never 0."""
    mem = pd.DataFrame(
        [(c, s, w, "estimate") for c, s, w in mem_rows],
        columns=["company", "segment", "weight", "basis"],
    )
    metrics = pd.DataFrame(
        [(c, "revenue", "2025", v * B, "reported") for c, v in revenue.items()],
        columns=["company_id", "metric", "period", "value", "evidence"],
    )
    if metrics.empty:
        return
    cells = pool_cells(metrics, mem, LAYER_OF)
    for layer in set(LAYER_OF.values()):
        exposed = mem[(mem["segment"].map(LAYER_OF) == layer) & (mem["weight"] > 0)]
        with_data = exposed[exposed["company"].isin(revenue)]
        hit = cells[(cells["group"] == layer) & (cells["metric"] == "revenue")]
        if exposed.empty:  # no member, or only weight-0 members: nothing, or unresolved
            assert hit.empty or hit.iloc[0]["value"] is None
            continue
        value = hit.iloc[0]["value"]
        if with_data.empty:
            assert value is None and hit.iloc[0]["evidence"] == "unresolved"
        else:
            expected = sum(
                w * revenue[c]
                for c, w in zip(with_data["company"], with_data["weight"], strict=True)
            )
            assert value == pytest.approx(expected, abs=1e-6)
            assert hit.iloc[0]["coverage"] == pytest.approx(
                with_data["company"].nunique() / exposed["company"].nunique()
            )


def test_an_allocated_value_is_never_reported() -> None:
    """Regression: Alphabet's 2024 Google Cloud weight (12.35%, 10-K 2024) was 'reported' in
    2024, and Nvidia's Q4-only 0.91 allocated all of 2025 as 'reported'. Without segment facts
    every fractional weight gives an estimate, and a quarter's weight says so."""
    from datetime import date

    metrics = pd.DataFrame(
        [
            ("goog", "revenue", "2024", 350.018 * B, "reported"),
            ("nvda", "revenue", "2025", 215.938 * B, "reported"),
        ],
        columns=["company_id", "metric", "period", "value", "evidence"],
    )
    mem = pd.DataFrame(
        [
            ("goog", "hyperscalers", 0.1235, "actual", date(2024, 12, 31), None),
            ("nvda", "design-gpu", 0.91, "actual", date(2026, 1, 25), "Q4 FY2026"),
        ],
        columns=["company", "segment", "weight", "basis", "as_of", "period"],
    )
    from stackatlas.analysis.allocation import allocate

    alloc = allocate(metrics, mem, LAYER_OF).set_index("company_id")
    assert alloc.loc["goog", "allocated"] == pytest.approx(350.018 * 0.1235 * B)
    assert alloc.loc["goog", "alloc_evidence"] == "estimated"
    assert alloc.loc["goog", "rule"] == "atlas weight"
    assert alloc.loc["nvda", "alloc_evidence"] == "estimated"
    assert "Q4 FY2026" in alloc.loc["nvda", "basis"]
    assert "a quarter's share applied to a whole period" in alloc.loc["nvda", "basis"]
    # each company has one year only: the like-for-like panel over 2024-2025 holds nobody
    panel = pool_cells(metrics, mem, LAYER_OF)
    assert panel["value"].isna().all()
    full = pool_cells(metrics, mem, LAYER_OF, view="full")
    money = full[full["value"].notna() & (full["unit"] == "usd_billion")]
    assert len(money) == 2 and set(money["evidence"]) == {"estimated"}


@pytest.mark.realdata
def test_cloud_2024_uses_the_reported_segments(shared_data, monkeypatch) -> None:
    """The issue: by weight, 2024 cloud operating income was ~70 (28%); with the filings' own
    segment figures it is about 90 (36%)."""
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    from stackatlas.atlas import load_atlas

    pools = profit_pools(load_atlas(), year=2024)
    cells = pools.cells
    oi = _cell(cells[cells["period"] == "2024"], "cloud", "operating_income")
    rev = _cell(cells[cells["period"] == "2024"], "cloud", "revenue")
    # AWS 39,834 (amzn-10-k-2025-02-07) + Google Cloud 6,112 (googl-10-k-2025-02-05), both
    # reported segment operating income; Microsoft has no segment filing at hand: its calendar
    # 2024 operating income (four quarters 27,581 + 27,925 + 30,552 + 31,653 = 117,711) x the
    # atlas weight 0.3772 = 44,401 (estimated).  39,834 + 6,112 + 44,401 = 90,347 $M
    assert oi["value"] == pytest.approx(39.834 + 6.112 + 117.711 * 0.3772, abs=1e-3)
    assert oi["contributors"] == ["alphabet", "amazon", "microsoft"]
    by_company = pools.allocations.set_index(["company_id", "group", "metric"])
    # revenue: AWS 107,556 + Google Cloud 43,229 + 0.3772 x Microsoft 261,802 = 249,537 $M
    # (the revenue cell also holds companies known by revenue only, e.g. atlas 10-K figures)
    three = sum(
        by_company.loc[(c, "cloud", "revenue"), "allocated"]
        for c in ("amazon", "alphabet", "microsoft")
    )
    assert three / 1e9 == pytest.approx(107.556 + 43.229 + 261.802 * 0.3772, abs=1e-3)
    assert rev["value"] >= three / 1e9 - 1e-9
    # the margin is over the companies with both inputs: 90,347 / 249,537 = 36.2%
    margin = _cell(cells[cells["period"] == "2024"], "cloud", "operating_margin")["value"]
    assert margin == pytest.approx(90.347 / 249.537, abs=1e-4)
    assert oi["evidence"] == "estimated" and oi["estimated"] == ["microsoft"]
    aws = by_company.loc[("amazon", "cloud", "operating_income")]
    assert aws["alloc_evidence"] == "reported" and aws["rule"] == "segment reported"
    # Nvidia's chips part is its Compute & Networking segment (FY2025 = CY2024): 82,875
    chips = by_company.loc[("nvidia", "chips", "operating_income")]
    assert chips["allocated"] == pytest.approx(82_875e6) and chips["alloc_evidence"] == "reported"
    # --explain lists the same parts, with the filing behind each reported one, summing to
    # the cell: 39.834 + 6.112 + 44.401 = 90.347
    from stackatlas.analysis.pools_explain import explain_pool

    parts = explain_pool(pools, "cloud").rows
    parts = parts[parts["metric"] == "operating_income"].set_index("company_id")
    assert parts.loc["amazon", "value"] == pytest.approx(39.834)
    assert (
        parts.loc["amazon", "symbol"] == "●"
        and "0001018724-25-000004" in parts.loc["amazon", "basis"]
    )
    assert parts.loc["alphabet", "value"] == pytest.approx(6.112)
    assert "0001652044-25-000014" in parts.loc["alphabet", "basis"]
    assert parts.loc["microsoft", "evidence"] == "estimated"
    assert parts.loc["microsoft", "rule"] == "atlas weight"
    assert parts["value"].sum() == pytest.approx(oi["value"])


@pytest.mark.realdata
def test_default_pools_panel_and_nvidia_2025(shared_data, monkeypatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    from stackatlas.atlas import load_atlas

    pools = profit_pools(load_atlas())
    assert pools.view == "panel" and pools.years == ["2023", "2024", "2025"]
    panel = pools.panel_rows().set_index(["group", "metric"])
    # Amazon's and Salesforce's filings at hand end in CY2024: not in a panel reaching CY2025
    assert "amazon" in panel.loc[("cloud", "revenue"), "left_out"]
    assert panel.loc[("cloud", "revenue"), "left_out"]["amazon"] == "no CY2025"
    assert "amazon" not in panel.loc[("cloud", "revenue"), "panel"]
    chips = pools.allocations.set_index(["company_id", "group", "period", "metric"])
    # no FY2026 10-K at hand: the 6-month FY2026 Compute & Networking share from the 10-Q of
    # 2025-08-27 (80,920 / 90,805 = 89.1%), not the article's Q4-only 0.91
    rev = chips.loc[("nvidia", "chips", "2025", "revenue")]
    assert rev["allocated"] == pytest.approx(215_938e6 * 80_920 / 90_805)
    assert rev["rule"] == "nearest segment share" and "6-month FY2026" in rev["basis"]
    # operating income: that revenue x the segment's 6-month margin 50,417 / 80,920
    oi = chips.loc[("nvidia", "chips", "2025", "operating_income")]
    assert oi["allocated"] == pytest.approx(215_938e6 * 80_920 / 90_805 * 50_417 / 80_920)
    # no allocated value is labelled reported unless it is a segment's own figure
    reported = pools.allocations[pools.allocations["alloc_evidence"] == "reported"]
    assert set(reported["rule"]) <= {"segment reported", "whole company"}
