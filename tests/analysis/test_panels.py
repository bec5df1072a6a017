"""Like-for-like panels, coverage and the full view of the profit pools."""

from __future__ import annotations

import pandas as pd
import pytest

from stackatlas.analysis.profit_pools import pool_cells, profit_pools
from stackatlas.atlas.models import Membership
from tests.builders import company, figure, frames_resolver, fundamentals_frame, money_atlas

B = 1e9
LAYER_OF = {"hyperscalers": "cloud", "design-gpu": "chips"}


def _metrics() -> pd.DataFrame:
    """a: revenue 2024 and 2025; b: only 2024 (its filing for 2025 is not out yet)."""
    rows = [
        ("a", "revenue", "2024", 100 * B),
        ("a", "revenue", "2025", 120 * B),
        ("b", "revenue", "2024", 300 * B),
        ("a", "operating_cash_flow", "2024", 30 * B),
        ("a", "capex", "2024", 10 * B),
        ("a", "free_cash_flow", "2024", 20 * B),
        ("a", "operating_cash_flow", "2025", 40 * B),
        ("a", "capex", "2025", 25 * B),
        ("a", "free_cash_flow", "2025", 15 * B),
    ]
    frame = pd.DataFrame(rows, columns=["company_id", "metric", "period", "value"])
    return frame.assign(evidence="reported")


def _mem() -> pd.DataFrame:
    return pd.DataFrame(
        [("a", "hyperscalers", 1.0, "actual"), ("b", "hyperscalers", 1.0, "actual")],
        columns=["company", "segment", "weight", "basis"],
    )


def _cell(cells: pd.DataFrame, period: str, metric: str) -> pd.Series:
    return cells[(cells["period"] == period) & (cells["metric"] == metric)].iloc[0]


def test_panel_keeps_one_company_set_across_years() -> None:
    """Regression: 'pools' vs 'pools --year 2024' compared different company sets, so a
    missing filing read as a collapse (applications 1,166.5 -> 780.0)."""
    cells = pool_cells(_metrics(), _mem(), LAYER_OF)
    # the panel is {a}: b has no 2025, so it is left out of 2024 as well
    r24, r25 = _cell(cells, "2024", "revenue"), _cell(cells, "2025", "revenue")
    assert r24["value"] == pytest.approx(100.0) and r24["contributors"] == ["a"]
    assert r25["value"] == pytest.approx(120.0)
    assert r24["coverage"] == pytest.approx(0.5) and r24["missing"] == ["b"]
    # revenue weight: a is 100 of (100 + 300) in 2024; in 2025 b's size is its 2024 revenue
    assert r24["revenue_coverage"] == pytest.approx(100 / 400)
    assert r25["revenue_coverage"] == pytest.approx(120 / 420)


def test_full_view_sums_every_company_and_marks_the_change() -> None:
    cells = pool_cells(_metrics(), _mem(), LAYER_OF, view="full")
    r24, r25 = _cell(cells, "2024", "revenue"), _cell(cells, "2025", "revenue")
    assert r24["value"] == pytest.approx(400.0) and r25["value"] == pytest.approx(120.0)
    assert r25["set_change"] == "-b" and r24["set_change"] is None


def test_free_cash_flow_is_cash_flow_minus_capex_in_the_same_cells() -> None:
    cells = pool_cells(_metrics(), _mem(), LAYER_OF)
    for period in ("2024", "2025"):
        ocf = _cell(cells, period, "operating_cash_flow")["value"]
        capex = _cell(cells, period, "capex")["value"]
        assert _cell(cells, period, "free_cash_flow")["value"] == pytest.approx(ocf - capex)


def test_change_is_computed_on_the_same_companies() -> None:
    atlas = money_atlas(
        companies=[company("a", 1), company("b", 2)],
        memberships=[
            Membership(
                company=c, segment="hyperscalers", weight=1.0, as_of="2025-01-01", source="src"
            )
            for c in ("a", "b")
        ],
        figures=[figure("b-rev-25", "b", "revenue", 2.0, "2025")],
    )
    frames = {
        "a": fundamentals_frame(
            [
                ("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 100 * B),
                ("revenue", 2025, "FY", "2025-01-01", "2025-12-31", 120 * B),
            ]
        ),
        "b": fundamentals_frame([("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 300 * B)]),
    }
    resolver = frames_resolver(atlas, frames)
    for view in ("panel", "full"):
        pools = profit_pools(atlas, resolver=resolver, view=view)
        change = pools.changes.set_index(["group", "metric"]).loc[("cloud", "revenue")]
        # both views: (a 120 + b 2) / (a 100 + b 300) on the companies in both years
        assert change["companies"] == ["a", "b"]
        assert change["change"] == pytest.approx(122 / 400 - 1)
        assert pools.wide("2025").set_index("group").loc["cloud", "revenue_change"] == (
            pytest.approx(122 / 400 - 1)
        )
    body = profit_pools(atlas, resolver=resolver).to_dict()
    assert body["view"] == "panel" and body["years"] == ["CY2024", "CY2025"]
    assert {"group": "cloud", "metric": "revenue", "panel": ["a", "b"], "left_out": {}} in body[
        "panels"
    ]
