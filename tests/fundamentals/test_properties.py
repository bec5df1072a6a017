"""Property tests: de-cumulation inverts cumulation; TTM at year end equals the fiscal year."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackatlas.fundamentals import compute_metrics
from stackatlas.fundamentals.periods import calendar_alignment, quarters_spanned

# FY2024 of a December-year-end company, quarter ends
_START = dt.date(2024, 1, 1)
_ENDS = [dt.date(2024, 3, 31), dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2024, 12, 31)]
_amount = st.integers(min_value=-(10**9), max_value=10**12)


def _ytd_facts(quarters: list[int]) -> pd.DataFrame:
    """Operating cash flow reported only year to date (3, 6, 9, 12 months), as 10-Qs/10-K do."""
    rows, total = [], 0
    for k, (end, q) in enumerate(zip(_ENDS, quarters, strict=True), start=1):
        total += q
        rows.append(
            {
                "taxonomy": "us-gaap",
                "concept": "NetCashProvidedByUsedInOperatingActivities",
                "unit": "USD",
                "start": _START,
                "end": end,
                "value": float(total),
                "accession": f"0000000001-24-00000{k}",
                "fy": 2024,
                "fp": "FY" if k == 4 else f"Q{k}",
                "form": "10-K" if k == 4 else "10-Q",
                "filed": end + dt.timedelta(days=30),
            }
        )
    return pd.DataFrame(rows)


@settings(max_examples=40, deadline=None)
@given(st.lists(_amount, min_size=4, max_size=4))
def test_decumulation_inverts_cumulation(quarters):
    df = compute_metrics(_ytd_facts(quarters), "quarterly", ["operating_cash_flow"])
    assert list(df.fiscal_period) == ["Q1", "Q2", "Q3", "Q4"]
    assert df.value.tolist() == pytest.approx([float(q) for q in quarters])


@settings(max_examples=20, deadline=None)
@given(st.lists(_amount, min_size=4, max_size=4))
def test_ttm_at_year_end_is_the_fiscal_year(quarters):
    df = compute_metrics(_ytd_facts(quarters), "ttm", ["operating_cash_flow"])
    assert df.iloc[-1].value == pytest.approx(float(sum(quarters)))


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 1, 1)),
    st.integers(min_value=1, max_value=400),
)
def test_calendar_alignment_picks_the_year_and_quarter_with_most_days(start, length):
    end = start + dt.timedelta(days=length - 1)
    year, quarter = calendar_alignment(
        pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)])
    )
    days = pd.date_range(start, end, freq="D")
    by_year = pd.Series(1, index=days).groupby(days.year).sum()
    assert by_year[year.iat[0]] >= by_year.max() - 1  # a tie may go either way by a day
    if length <= 100:  # quarters (and the last quarter of a TTM row) are about 91 days
        by_quarter = pd.Series(1, index=days).groupby([days.year, days.quarter]).sum()
        assert by_quarter[(year.iat[0], quarter.iat[0])] >= by_quarter.max() - 1


def test_period_lengths():
    start = pd.Series(pd.to_datetime(["2024-01-01"] * 6))
    end = pd.Series(
        pd.to_datetime(
            ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31", "2025-01-05", "2024-02-15"]
        )
    )
    # 3, 6, 9, 12 months; a 53-week year (370 days); 45 days is no fiscal period
    assert quarters_spanned(start, end).tolist() == [1, 2, 3, 4, 4, 0]


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_result_does_not_depend_on_fact_order(rnd):
    from pathlib import Path

    from stackatlas.sec.companyfacts import read_companyfacts

    path = Path(__file__).resolve().parents[1] / "fixtures" / "fundamentals" / "tag_switch.json"
    facts = read_companyfacts(path).to_pandas()
    shuffled = facts.sample(frac=1, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
    a = compute_metrics(facts, "annual")
    b = compute_metrics(shuffled, "annual")
    pd.testing.assert_frame_equal(a, b)


def test_facts_of_two_companies_are_refused():
    from stackatlas.errors import ValidationError

    facts = _ytd_facts([1, 2, 3, 4]).assign(cik=[1, 1, 2, 2])
    with pytest.raises(ValidationError):
        compute_metrics(facts, "annual")
