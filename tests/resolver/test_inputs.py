"""Many companies through the resolver: stale TTM, unreadable files, the provider seam."""

from __future__ import annotations

import pandas as pd
import pytest

from stackatlas.analysis.metric_inputs import gather
from stackatlas.errors import ValidationError
from stackatlas.evidence import Evidence
from stackatlas.resolver.calendar import drop_stale_ttm, trailing_four
from tests.builders import (
    company,
    figure,
    frames_resolver,
    fundamentals_frame,
    money_atlas,
)


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


def test_an_unreadable_facts_file_is_reported_not_fatal() -> None:
    """Regression: one truncated companyfacts file in STACKATLAS_SEC_DIR made ``pools`` and
    ``capex`` fail for every company; now that company is listed with the reason (and its atlas
    figures do not silently stand in for the broken file)."""
    good = fundamentals_frame([("revenue", 2025, "FY", "2025-01-01", "2025-12-31", 5e9)])
    broken = ValidationError("CIK0000000001.json: invalid JSON (truncated?)")
    atlas = money_atlas(
        companies=[company("a", 1), company("b", 2)],
        memberships=[],
        figures=[figure("a-rev", "a", "revenue", 7.0, "2025")],
    )
    inputs = gather(atlas, ["a", "b"], resolver=frames_resolver(atlas, {"a": broken, "b": good}))
    assert inputs.not_covered == {
        "a": "unreadable SEC facts: CIK0000000001.json: invalid JSON (truncated?)"
    }
    assert set(inputs.annual["company_id"]) == {"b"}


def _two_sources():
    """An SEC frame for 2024 and an atlas figure for 2024 and 2025 of the same company."""
    atlas = money_atlas(
        companies=[company("a", 1)],
        memberships=[],
        figures=[
            figure("a-rev-24", "a", "revenue", 99.0, "2024"),
            figure("a-rev-25", "a", "revenue", 120.0, "2025"),
            figure("a-capex-26", "a", "capex", 50.0, "2026", kind="projection"),
        ],
    )
    sec = fundamentals_frame(
        [
            ("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 100e9),
            ("capex", 2024, "FY", "2024-01-01", "2024-12-31", 10e9),
            ("operating_cash_flow", 2024, "FY", "2024-01-01", "2024-12-31", 30e9),
            ("free_cash_flow", 2024, "FY", "2024-01-01", "2024-12-31", 999e9),  # inconsistent
        ]
    )
    return atlas, frames_resolver(atlas, {"a": sec})


def test_the_first_provider_wins_per_period_and_later_ones_fill_gaps() -> None:
    _atlas, resolver = _two_sources()
    r24 = resolver.resolve("a", "revenue", "CY2024")
    assert r24.value == pytest.approx(100e9)  # the filing, not the atlas's 99
    assert r24.source == "sec-test" and r24.evidence == Evidence.REPORTED
    assert r24.rule == "as filed" and "FY2024 (2024-01-01..2024-12-31) is CY2024" in r24.basis
    r25 = resolver.resolve("a", "revenue", "2025")
    assert r25.value == pytest.approx(120e9) and r25.source == "atlas"
    assert r25.evidence == Evidence.ESTIMATED and r25.reference == "a-rev-25"
    assert r25.period == "CY2025"
    # a projection is not a value of its period
    assert resolver.resolve("a", "capex", "CY2026").value is None
    missing = resolver.resolve("a", "operating_income", "CY2024")
    assert missing.value is None and missing.evidence == Evidence.UNRESOLVED


def test_free_cash_flow_is_ocf_minus_capex_of_the_chosen_values() -> None:
    _, resolver = _two_sources()
    fcf = resolver.resolve("a", "free_cash_flow", "CY2024")
    assert fcf.value == pytest.approx(20e9)  # 30 - 10, not the source's own 999
    assert fcf.rule == "OCF - capex" and fcf.evidence == Evidence.DERIVED


def test_fiscal_periods_and_the_filings_only_view() -> None:
    _atlas, resolver = _two_sources()
    fy = resolver.resolve("a", "revenue", "FY2024")
    assert fy.value == pytest.approx(100e9) and fy.period == "FY2024"
    only = resolver.filings_only()
    assert only.source_names == ["sec-test"]
    assert only.resolve("a", "revenue", "CY2025").value is None  # the atlas is not a filing


def test_a_provider_ranked_above_a_filing_is_refused() -> None:
    from stackatlas.resolver import FrameProvider, Resolver
    from stackatlas.resolver.atlas_provider import AtlasFiguresProvider

    atlas, _ = _two_sources()
    with pytest.raises(ValidationError, match="must come before 'atlas'"):
        Resolver(atlas, [AtlasFiguresProvider(atlas), FrameProvider({}, filing=True)])


def test_bad_period_names_say_what_is_accepted() -> None:
    _, resolver = _two_sources()
    with pytest.raises(ValidationError, match="CY2024"):
        resolver.resolve("a", "revenue", "last year")
