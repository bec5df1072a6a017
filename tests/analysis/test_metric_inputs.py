"""Calendar TTM across companies: a stale trailing total is not summed with current ones."""

from __future__ import annotations

import pandas as pd
import pytest

from stackatlas.analysis.metric_inputs import drop_stale_ttm, trailing_four
from stackatlas.evidence import Evidence


def _quarters(company_quarters: list[tuple[int, int, float]]) -> pd.DataFrame:
    rows = [{"metric": "revenue", "period": f"{y}Q{q}", "calendar_year": y,
             "calendar_quarter": q, "value": v, "evidence": Evidence.REPORTED,
             "basis": "fiscal", "end": f"{y}-{3 * q:02d}-28"} for y, q, v in company_quarters]
    return pd.DataFrame(rows)


def test_stale_ttm_is_unresolved_not_summed() -> None:
    """Regression: pools --year ttm added Snowflake's TTM to 2025Q1 (its companyfacts stop in
    May 2025) to Microsoft's TTM to 2026Q2 in enterprise software."""
    current = trailing_four(_quarters([(2025, 2, 1.0), (2025, 3, 2.0), (2025, 4, 3.0),
                                       (2026, 1, 4.0)])).assign(company_id="cur")
    near = trailing_four(_quarters([(2025, 1, 1.0), (2025, 2, 1.0), (2025, 3, 1.0),
                                    (2025, 4, 1.0)])).assign(company_id="near")
    stale = trailing_four(_quarters([(2024, 2, 5.0), (2024, 3, 5.0), (2024, 4, 5.0),
                                     (2025, 1, 5.0)])).assign(company_id="old")
    assert current["value"].tolist() == [10.0]  # 1 + 2 + 3 + 4
    out = drop_stale_ttm(pd.concat([current, near, stale], ignore_index=True)).set_index(
        "company_id")
    assert "last_quarter" not in out.columns
    assert out.loc["cur", "value"] == pytest.approx(10.0)
    assert out.loc["near", "value"] == pytest.approx(4.0)  # one quarter behind: kept
    assert pd.isna(out.loc["old", "value"])  # four quarters behind 2026Q1
    assert out.loc["old", "evidence"] == Evidence.UNRESOLVED
    assert "stale: not summed with trailing totals to 2026Q1" in out.loc["old", "basis"]
