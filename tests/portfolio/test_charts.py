"""Plotly figures built from a report on the miniature atlas and fixture prices."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas.atlas.atlas import Atlas
from stackatlas.charts.portfolio import drawdown_lines, exposure_sunburst, risk_return_scatter
from stackatlas.portfolio import analyze_portfolio


@pytest.fixture
def report(atlas: Atlas, fixtures: Path):
    return analyze_portfolio(
        fixtures / "portfolio" / "three_holdings.csv",
        atlas=atlas,
        prices_dir=fixtures / "portfolio" / "prices",
    )


def test_sunburst_values_add_up(report) -> None:
    trace = exposure_sunburst(report).data[0]
    values = dict(zip(trace.ids, trace.values, strict=True))
    assert values["chips"] == pytest.approx(0.75)
    # branchvalues="total": each layer equals the sum of its segments
    assert values["chips/design-gpu"] + values["chips/foundry"] == pytest.approx(0.75)
    assert values["unclassified"] == pytest.approx(0.09)
    assert "cloud" not in values  # zero exposure is left out


def test_scatter_and_drawdowns(report) -> None:
    scatter = risk_return_scatter(report)
    names = [t.name for t in scatter.data]
    assert names == ["layer", "portfolio", "benchmark"]
    dd = drawdown_lines(report)
    spy = next(t for t in dd.data if t.name == "benchmark SPY")
    assert min(spy.y) == pytest.approx(99 / 101 - 1)  # SPY 101 -> 99
    assert max(spy.y) == 0.0
