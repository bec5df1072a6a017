"""Fiscal -> calendar: one rule, fixtures for January, June, September and 52/53-week years."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from stackatlas.evidence import Evidence
from stackatlas.resolver.calendar import (
    calendar_annual,
    calendar_quarters,
    calendar_year_of,
    is_aligned,
    trailing_four,
)
from stackatlas.resolver.periods import parse_period, period_label


def _frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(
        rows, columns=["metric", "fiscal_year", "fiscal_period", "start", "end", "value"]
    )
    df["evidence"] = "reported"
    for col in ("start", "end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


@pytest.mark.parametrize(
    ("start", "end", "year"),
    [
        # January year-ends belong to the previous calendar year
        ("2024-02-01", "2025-01-31", 2024),  # Salesforce / Snowflake FY2025
        ("2025-01-27", "2026-01-25", 2025),  # NVIDIA FY2026 (52 weeks)
        ("2024-01-29", "2025-01-26", 2024),  # NVIDIA FY2025
        # June: 184 days in the first year, 181 in the second - within TIE_DAYS: the end year
        ("2024-07-01", "2025-06-30", 2025),  # Microsoft FY2025
        ("2024-06-30", "2025-06-28", 2025),  # a 52-week year ending the last Saturday of June
        # September: most days in the year it ends in
        ("2024-09-29", "2025-09-27", 2025),  # Apple FY2025 (52 weeks)
        # a 53-week year touching three calendar years belongs to the middle one
        ("2023-12-29", "2025-01-03", 2024),
        ("2023-12-02", "2024-11-29", 2024),  # Adobe FY2024 (late-November year-end)
        ("2024-04-01", "2025-03-31", 2024),  # March year-end (Japan, India)
    ],
)
def test_the_rule(start: str, end: str, year: int) -> None:
    assert calendar_year_of(date.fromisoformat(start), date.fromisoformat(end)) == year


def test_january_year_end_is_taken_as_filed_for_the_previous_year() -> None:
    # Salesforce FY2025 10-K: revenue 37,895 $M for 2024-02-01..2025-01-31
    cal = calendar_annual(_frame([("revenue", 2025, "FY", "2024-02-01", "2025-01-31", 37_895)]))
    row = cal.iloc[0]
    assert row["period"] == "2024" and row["value"] == 37_895
    assert row["evidence"] == Evidence.REPORTED and row["rule"] == "as filed"
    assert row["basis"] == "FY2025 (2024-02-01..2025-01-31) is CY2024"
    assert is_aligned(date(2025, 1, 31)) and is_aligned(date(2024, 11, 29))
    assert not is_aligned(date(2025, 6, 30)) and not is_aligned(date(2025, 9, 27))


def test_june_year_end_sums_quarters_else_is_an_estimate() -> None:
    # Microsoft-like: calendar 2025 = the four fiscal quarters inside it (derived)
    annual = _frame([("capex", 2025, "FY", "2024-07-01", "2025-06-30", 64.0)])
    quarterly = _frame(
        [
            ("capex", 2025, "Q3", "2025-01-01", "2025-03-31", 16.0),
            ("capex", 2025, "Q4", "2025-04-01", "2025-06-30", 17.0),
            ("capex", 2026, "Q1", "2025-07-01", "2025-09-30", 19.0),
            ("capex", 2026, "Q2", "2025-10-01", "2025-12-31", 29.0),
        ]
    )
    cal = calendar_annual(annual, quarterly).set_index("period")
    assert cal.loc["2025", "value"] == pytest.approx(16 + 17 + 19 + 29)
    assert cal.loc["2025", "evidence"] == Evidence.DERIVED
    assert cal.loc["2025", "rule"] == "quarter sum"
    assert "Q3 FY2025, Q4 FY2025, Q1 FY2026, Q2 FY2026" in cal.loc["2025", "basis"]
    # without the quarters, FY2025 stands for CY2025 (the rule's year) as an estimate, once
    # CY2025 is over in the data (here a later fiscal year ends 2026-06-30)
    later = _frame([("capex", 2026, "FY", "2025-07-01", "2026-06-30", 90.0)])
    alone = calendar_annual(pd.concat([annual, later], ignore_index=True)).set_index("period")
    assert list(alone.index) == ["2025"]  # FY2026 does not stand for CY2026, still running
    assert alone.loc["2025", "value"] == pytest.approx(64.0)
    assert alone.loc["2025", "evidence"] == Evidence.ESTIMATED
    assert alone.loc["2025", "rule"] == "estimate"
    ttm = trailing_four(calendar_quarters(quarterly)).iloc[0]
    assert ttm["value"] == pytest.approx(81.0) and ttm["period"] == "TTM"


def test_september_year_end() -> None:
    # Apple-like 52-week years: FY2025 ends 2025-09-27 -> CY2025, an estimate without
    # quarters, given once CY2025 is over in the data (FY2026 ends 2026-09-26)
    rows = [
        ("revenue", 2025, "FY", "2024-09-29", "2025-09-27", 416.2),
        ("revenue", 2026, "FY", "2025-09-28", "2026-09-26", 450.0),
    ]
    cal = calendar_annual(_frame(rows)).set_index("period")
    assert list(cal.index) == ["2025"]
    assert cal.loc["2025", "value"] == pytest.approx(416.2)
    assert cal.loc["2025", "evidence"] == Evidence.ESTIMATED


def test_fifty_three_week_year_ending_early_january() -> None:
    # a 53-week year ending 2025-01-03 is as filed (aligned) and belongs to CY2024
    cal = calendar_annual(_frame([("revenue", 2024, "FY", "2023-12-29", "2025-01-03", 10.0)]))
    assert cal.iloc[0]["period"] == "2024" and cal.iloc[0]["evidence"] == Evidence.REPORTED


def test_quarters_go_to_the_calendar_quarter_of_their_midpoint() -> None:
    # NVIDIA Q4 FY2025 (2024-10-28..2025-01-26): midpoint 2024-12-12 -> 2024Q4
    q = calendar_quarters(_frame([("revenue", 2025, "Q4", "2024-10-28", "2025-01-26", 39.3)]))
    assert q.iloc[0]["period"] == "2024Q4" and q.iloc[0]["basis"] == "fiscal Q4 FY2025"


def test_calendar_figures_and_undated_fiscal_figures() -> None:
    rows = _frame([("revenue", 2025, "CY", "2025-01-01", "2025-12-31", 13.0)])
    undated = pd.DataFrame(
        [("capex", 2024, "FY", None, None, 5.0, "reported")],
        columns=["metric", "fiscal_year", "fiscal_period", "start", "end", "value", "evidence"],
    )
    cal = calendar_annual(pd.concat([rows, undated], ignore_index=True)).set_index("metric")
    assert cal.loc["revenue", "rule"] == "calendar-year figure"
    assert cal.loc["revenue", "evidence"] == Evidence.REPORTED
    assert cal.loc["capex", "period"] == "2024" and cal.loc["capex", "evidence"] == "estimated"
    assert "dates are not known" in cal.loc["capex", "basis"]


def test_period_names_print_cy_or_fy() -> None:
    assert period_label("2024") == "CY2024" and period_label("2025Q3") == "CY2025 Q3"
    assert period_label("TTM") == "TTM" and period_label("FY2025") == "FY2025"
    assert parse_period("Q4 FY2026").key == "Q4 FY2026"
    assert parse_period("cy2024").key == "2024"
