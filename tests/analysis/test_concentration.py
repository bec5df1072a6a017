"""Concentration and chokepoints, hand-checked on the article's shares and a tiny atlas."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackatlas.analysis.concentration import (
    chokepoints,
    concentration_band,
    hhi,
    market_concentration,
)
from stackatlas.errors import NotFoundError
from tests.builders import network_atlas


def test_cloud_hhi_with_article_shares():
    # article: AWS 31%, Azure 24%, Google Cloud 11% -> 31² + 24² + 11² = 961 + 576 + 121 = 1,658
    row = market_concentration(network_atlas(), "cloud").table.iloc[0]
    assert row["hhi"] == pytest.approx(1658)
    assert row["band"] == "moderately concentrated"  # 1,000-1,800 under the 2023 guidelines
    assert row["band_2010"] == "moderately concentrated"  # 1,500-2,500 under the 2010 ones
    assert row["others"] == pytest.approx(34)  # 100 - 66, unallocated
    assert row["hhi_others_single"] == pytest.approx(1658 + 34**2)  # = 2,814, upper bound
    assert (row["cr1"], row["cr3"], row["n_suppliers"]) == pytest.approx((31, 66, 3))
    assert row["leader"] == "amzn"
    assert row["evidence"] == "estimated"


def test_bands_2023_vs_2010():
    assert concentration_band(999) == "unconcentrated"
    assert concentration_band(1000) == "moderately concentrated"
    assert concentration_band(1800) == "moderately concentrated"  # "greater than 1,800"
    assert concentration_band(1801) == "highly concentrated"
    assert concentration_band(1658, "2010") == "moderately concentrated"
    assert concentration_band(1400, "2010") == "unconcentrated"
    assert concentration_band(2000, "2010") == "moderately concentrated"
    assert concentration_band(2600, "2010") == "highly concentrated"
    assert hhi([1.0]) == 10_000


def test_all_markets_sorted_and_sole_supplier():
    table = market_concentration(network_atlas()).table
    assert list(table["market"]) == ["euv", "gpu", "cloud"]
    euv = table.iloc[0]
    assert euv["hhi"] == 10_000 and euv["band"] == "highly concentrated"
    assert table.iloc[1]["hhi"] == pytest.approx(92**2 + 5**2)  # 8,464 + 25 = 8,489


def test_unknown_market_suggests():
    with pytest.raises(NotFoundError, match="did you mean"):
        market_concentration(network_atlas(), "clouds")


def test_chokepoint_ranking_by_hand():
    # placed companies: msft oai nvda tsmc asml util amzn goog amd (9).
    # euv (chips layer, supplier asml): upper layers {msft, oai, amzn, goog}; supply edges from
    #   cost flows asml->tsmc->nvda->msft->oai; downstream = 6 of 8 non-suppliers -> reach 0.75.
    # gpu (chips; nvda, amd): upper {msft, oai, amzn, goog} + nvda->msft->oai -> 4 of 7.
    # cloud (cloud; amzn, msft, goog): upper {oai} (msft is a supplier) -> 1 of 6.
    result = chokepoints(network_atlas())
    table = result.table
    assert list(table["company"]) == ["asml", "nvda", "amzn", "msft", "amd", "goog"]
    scores = dict(zip(table["company"], table["score"], strict=True))
    assert scores["asml"] == pytest.approx(0.75)
    assert scores["nvda"] == pytest.approx(0.92 * 4 / 7)
    assert scores["amzn"] == pytest.approx(0.31 / 6)
    assert scores["goog"] == pytest.approx(0.11 / 6)
    assert list(result.single_points["company"]) == ["asml", "nvda"]
    assert list(result.single_points["role"]) == ["sole supplier", "dominant supplier"]
    # nvda is paid 20 by msft (capex purchase); asml 3 by tsmc
    inflow = dict(zip(table["company"], table["inflow_known"], strict=True))
    assert (inflow["nvda"], inflow["asml"]) == (20, 3)
    assert list(result.ranking()["rank"]) == [1, 2, 3, 4, 5, 6]


def test_chokepoints_of_one_market_keep_their_overall_rank():
    # cloud suppliers amzn, msft, goog rank 3, 4 and 6 among all markets (see above)
    cloud = chokepoints(network_atlas(), "cloud")
    assert list(cloud.table["company"]) == ["amzn", "msft", "goog"]
    assert list(cloud.table["rank"]) == [3, 4, 6]
    assert cloud.single_points.empty
    assert list(chokepoints(network_atlas(), "gpu").single_points["company"]) == ["nvda"]
    with pytest.raises(NotFoundError, match="did you mean: cloud"):
        chokepoints(network_atlas(), "clouds")


def test_share_sum_over_100_keeps_others_at_zero():
    shares = [("cloud", "amzn", 0.6), ("cloud", "msft", 0.5)]
    row = market_concentration(network_atlas(shares=shares), "cloud").table.iloc[0]
    assert row["others"] == 0 and row["share_sum"] == pytest.approx(110)
    assert row["hhi"] == row["hhi_others_single"] == pytest.approx(3600 + 2500)


def test_hhi_bars_have_band_lines_and_hatching():
    from stackatlas.charts.network import hhi_bars

    fig = hhi_bars(market_concentration(network_atlas()))
    bar = fig.data[0]
    assert list(bar.y) == ["Cloud", "GPU", "EUV"]  # lowest first, drawn bottom-up
    assert list(bar.x) == pytest.approx([1658, 8489, 10_000])
    assert list(bar.error_x.array) == pytest.approx([34**2, 3**2, 0])
    assert set(bar.marker.pattern.shape) == {"/"}  # all estimated
    assert sorted(shape.x0 for shape in fig.layout.shapes) == [1000, 1800]


def test_hhi_band_labels_do_not_overlap():
    """Regression: both band labels were centred on lines 800 HHI apart, so they overprinted
    (the web app lifted one as a workaround). Now, above the plot, the lower label ends at its
    line and the upper one starts at its line."""
    from stackatlas.charts.network import hhi_bars

    for guidelines, (low, high) in (("2023", (1000, 1800)), ("2010", (1500, 2500))):
        fig = hhi_bars(market_concentration(network_atlas(), guidelines=guidelines))
        labels = {a.x: a for a in fig.layout.annotations}
        assert sorted(labels) == [low, high]
        assert labels[low].xanchor == "right" and labels[high].xanchor == "left"
        assert labels[low].text.startswith("moderately") and labels[high].text.startswith("highly")
        assert all(a.y == 1 and a.yanchor == "bottom" and a.yshift is None for a in labels.values())


def test_cli_concentration_json_on_shipped_atlas():
    import json

    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    result = CliRunner().invoke(
        app, ["concentration", "--market", "cloud-infrastructure", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    (row,) = payload["concentration"]["markets"]
    # the shipped atlas carries the article's 31 / 24 / 11 -> 1,658
    assert row["hhi"] == pytest.approx(1658) and row["band"] == "moderately concentrated"
    assert {r["market"] for r in payload["chokepoints"]} == {"cloud-infrastructure"}
    full = json.loads(CliRunner().invoke(app, ["concentration", "--json"]).output)
    spof = {(r["company"], r["market"]) for r in full["single_points_of_failure"]}
    assert ("asml", "euv-lithography") in spof  # the article: sole supplier of EUV
    table = CliRunner().invoke(app, ["concentration"])
    assert table.exit_code == 0 and "single point of failure" in table.output
    bad = CliRunner().invoke(app, ["concentration", "--market", "fondry"])
    assert bad.exit_code == 2 and "foundry" in bad.output


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.001, 1.0), min_size=1, max_size=8))
def test_hhi_bounds(raw):
    total = sum(raw)
    shares = [s / total * 0.999 for s in raw] if total > 0.999 else raw  # keep sum <= 1
    market = [("cloud", f"c{i}", s) for i, s in enumerate(shares)]
    extra = tuple(f"c{i}" for i in range(len(shares)))
    row = market_concentration(
        network_atlas(shares=market, extra_companies=extra), "cloud"
    ).table.iloc[0]
    n = len(shares)
    assert row["hhi"] <= row["hhi_others_single"] <= 10_000 + 1e-6
    assert row["hhi"] >= (100 * sum(shares)) ** 2 / n - 1e-6  # equal split minimises HHI
    assert row["cr1"] <= row["cr3"] <= 100 * sum(shares) + 1e-9
