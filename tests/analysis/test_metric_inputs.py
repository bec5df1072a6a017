"""Calendar TTM across companies: a stale trailing total is not summed with current ones."""

from __future__ import annotations

import pandas as pd
import pytest

from stackatlas.analysis.metric_inputs import drop_stale_ttm, trailing_four
from stackatlas.evidence import Evidence


def _quarters(company_quarters: list[tuple[int, int, float]]) -> pd.DataFrame:
    rows = [
        {
            "metric": "revenue",
            "period": f"{y}Q{q}",
            "calendar_year": y,
            "calendar_quarter": q,
            "value": v,
            "evidence": Evidence.REPORTED,
            "basis": "fiscal",
            "end": f"{y}-{3 * q:02d}-28",
        }
        for y, q, v in company_quarters
    ]
    return pd.DataFrame(rows)


def test_stale_ttm_is_unresolved_not_summed() -> None:
    """Regression: pools --year ttm added Snowflake's TTM to 2025Q1 (its companyfacts stop in
    May 2025) to Microsoft's TTM to 2026Q2 in enterprise software."""
    current = trailing_four(
        _quarters([(2025, 2, 1.0), (2025, 3, 2.0), (2025, 4, 3.0), (2026, 1, 4.0)])
    ).assign(company_id="cur")
    near = trailing_four(
        _quarters([(2025, 1, 1.0), (2025, 2, 1.0), (2025, 3, 1.0), (2025, 4, 1.0)])
    ).assign(company_id="near")
    stale = trailing_four(
        _quarters([(2024, 2, 5.0), (2024, 3, 5.0), (2024, 4, 5.0), (2025, 1, 5.0)])
    ).assign(company_id="old")
    assert current["value"].tolist() == [10.0]  # 1 + 2 + 3 + 4
    out = drop_stale_ttm(pd.concat([current, near, stale], ignore_index=True)).set_index(
        "company_id"
    )
    assert "last_quarter" not in out.columns
    assert out.loc["cur", "value"] == pytest.approx(10.0)
    assert out.loc["near", "value"] == pytest.approx(4.0)  # one quarter behind: kept
    assert pd.isna(out.loc["old", "value"])  # four quarters behind 2026Q1
    assert out.loc["old", "evidence"] == Evidence.UNRESOLVED
    assert "stale: not summed with trailing totals to 2026Q1" in out.loc["old", "basis"]


def test_an_unreadable_facts_file_is_reported_not_fatal(monkeypatch) -> None:
    """Regression: one truncated companyfacts file in STACKATLAS_SEC_DIR made ``pools`` and
    ``capex`` fail for every company; now that company is listed with the reason (and its atlas
    figures do not silently stand in for the broken file)."""
    from money_atlas import company, figure, fundamentals_frame, mini_atlas

    from stackatlas.analysis import metric_inputs
    from stackatlas.analysis.metric_inputs import gather
    from stackatlas.errors import ValidationError

    good = fundamentals_frame([("revenue", 2025, "FY", "2025-01-01", "2025-12-31", 5e9)])

    def frames(cik, store):
        if cik == 1:
            raise ValidationError("CIK0000000001.json: invalid JSON (truncated?)")
        return good, good.iloc[0:0]

    monkeypatch.setattr(metric_inputs, "_company_frames", frames)
    atlas = mini_atlas(
        companies=[company("a", 1), company("b", 2)],
        memberships=[],
        figures=[figure("a-rev", "a", "revenue", 7.0, "2025")],
    )
    inputs = gather(atlas, ["a", "b"])
    assert inputs.not_covered == {
        "a": "unreadable SEC facts: CIK0000000001.json: invalid JSON (truncated?)"
    }
    assert set(inputs.annual["company_id"]) == {"b"}
