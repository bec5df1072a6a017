"""Edge cases on hand-made companyfacts fixtures (tests/fixtures/fundamentals/*.json).

Every expected number is computed by hand from the fixture file named in the test.
"""

from __future__ import annotations

import pytest

from stackatlas.errors import NotFoundError, ValidationError
from stackatlas.fundamentals import METRICS, compute_metrics
from stackatlas.sec.companyfacts import read_companyfacts


@pytest.fixture
def load(fixtures):
    def _load(name: str):
        return read_companyfacts(fixtures / "fundamentals" / f"{name}.json")

    return _load


def _one(df, metric, year, period="FY"):
    sub = df[(df.metric == metric) & (df.fiscal_year == year) & (df.fiscal_period == period)]
    assert len(sub) == 1, (metric, year, period, sub)
    return sub.iloc[0]


def test_tag_switch_resolved_per_period(load):
    df = compute_metrics(load("tag_switch"), "annual")
    # revenue: Revenues for 2020-2021, RevenueFromContract... only for 2022 -> no stale 2021 value
    assert _one(df, "revenue", 2021).concept == "Revenues"
    rev22 = _one(df, "revenue", 2022)
    assert rev22.concept == "RevenueFromContractWithCustomerExcludingAssessedTax"
    assert rev22.derivation == "fallback: RevenueFromContractWithCustomerExcludingAssessedTax"
    # capex: both tags report FY2021 (100 vs 110) -> priority picks PP&E; only new tag for 2022
    assert _one(df, "capex", 2020).value == 90
    assert _one(df, "capex", 2021).value == 100
    assert _one(df, "capex", 2022).value == 130
    assert _one(df, "capex", 2022).concept == "PaymentsToAcquireProductiveAssets"
    assert _one(df, "free_cash_flow", 2022).value == 330 - 130


def test_restatement_latest_filed_wins(load):
    df = compute_metrics(load("tag_switch"), "annual")
    rev = _one(df, "revenue", 2022)
    assert rev.value == 1050  # 10-K/A filed 2023-06-15 beats the 10-K's 1,000
    assert (rev.accession, rev.form) == ("0009000001-23-000020", "10-K/A")
    assert _one(df, "gross_profit", 2022).value == 1050 - 450
    assert _one(df, "gross_profit", 2022).derivation == "derived: revenue - cost_of_revenue"


def test_def14a_fact_is_used_and_cited(load):
    ni = _one(compute_metrics(load("tag_switch"), "annual"), "net_income", 2022)
    assert (ni.value, ni.form, ni.accession) == (150, "DEF 14A", "0009000001-23-000030")


def test_prior_year_comparative_keeps_its_own_year(load):
    # FY2021 revenue 900 is repeated in the FY2022 10-K with fy=2022: still labelled 2021
    df = compute_metrics(load("tag_switch"), "annual", ["revenue"])
    assert sorted(df.fiscal_year) == [2020, 2021, 2022]
    assert _one(df, "revenue", 2021).value == 900


def test_instant_off_period_end_is_ignored(load):
    cash = compute_metrics(load("tag_switch"), "quarterly", ["cash"])
    assert 999 not in set(cash.value)  # 8-K balance at 2022-11-15 is not a period end
    assert list(cash.value) == [70, 75]


def test_ytd_only_cash_flow_decumulated(load):
    df = compute_metrics(load("september_ytd"), "quarterly", ["operating_cash_flow"])
    q = {r.fiscal_period: r for r in df.itertuples()}
    # YTD 30 / 70 / 125 / FY 180 -> 30, 40, 55, 55
    assert [q[f"Q{k}"].value for k in range(1, 5)] == [30, 40, 55, 55]
    assert q["Q2"].derivation == "derived: 6M YTD - Q1"
    assert q["Q3"].derivation == "derived: 9M YTD - Q1 - Q2"
    assert q["Q4"].derivation == "derived: FY - Q1 - Q2 - Q3"
    assert (str(q["Q2"].start), str(q["Q2"].end)) == ("2023-12-31", "2024-03-30")
    assert q["Q1"].evidence == "reported" and q["Q4"].evidence == "derived"


def test_september_year_end_and_53_week_year(load):
    annual = compute_metrics(load("september_ytd"), "annual", ["revenue"])
    fy23 = _one(annual, "revenue", 2023)  # 2022-09-25 .. 2023-09-30 is 371 days (53 weeks)
    assert (str(fy23.start), str(fy23.end), fy23.value) == ("2022-09-25", "2023-09-30", 400)
    assert _one(annual, "revenue", 2024).value == 460
    q = compute_metrics(load("september_ytd"), "quarterly", ["revenue"])
    q1 = _one(q, "revenue", 2024, "Q1")  # Oct-Dec 2023: fiscal Q1 of FY2024, calendar 2023 Q4
    assert (q1.calendar_year, q1.calendar_quarter) == (2023, 4)
    assert _one(q, "revenue", 2024, "Q4").value == 460 - 100 - 110 - 120


def test_missing_quarter_means_no_ttm(load):
    ttm = compute_metrics(load("september_ytd"), "ttm", ["revenue", "cash"])
    rev = ttm[ttm.metric == "revenue"].set_index(ttm[ttm.metric == "revenue"].end.astype(str))
    # FY2023 has only Q3 reported (no Q4 derivable): TTM to 2024-03-30 is unavailable
    blocked = rev.loc["2024-03-30"]
    assert blocked.value != blocked.value  # NaN
    assert blocked.evidence == "unresolved"
    assert blocked.derivation == "unavailable: missing Q4 FY2023"
    full = rev.loc["2024-09-28"]
    assert full.value == 460 and full.derivation.startswith("derived: sum of 4 quarters")
    cash = ttm[ttm.metric == "cash"]
    assert cash.iloc[-1].value == 65 and cash.iloc[-1].derivation == "instant at period end"


def test_ifrs_eur_converted_with_shipped_rate(load):
    df = compute_metrics(load("ifrs_eur"), "annual")
    rev = _one(df, "revenue", 2023)
    # EUR 1,000 x 1.0817 USD/EUR (Fed G.5A 2023 annual average); the USD convenience figure
    # (1,090) reported next to it is not used because EUR is the reporting currency
    assert rev.value == pytest.approx(1081.7)
    assert (rev.unit, rev.currency, rev.fx_rate) == ("USD", "EUR", 1.0817)
    assert rev.derivation == (
        "reported; converted from EUR at 1.0817 USD/EUR "
        "(2023 annual average, Federal Reserve G.5A, 2024-02-01)"
    )
    assert rev.evidence == "derived"
    assert _one(df, "capex", 2023).value == pytest.approx(150 * 1.0817)
    assert _one(df, "revenue", 2022).value == pytest.approx(900 * 1.0534)
    missing = _one(df, "revenue", 2024)  # no 2024 rate shipped -> unavailable, not guessed
    assert missing.value != missing.value and missing.evidence == "unresolved"
    assert "no FX rate for EUR 2024" in missing.derivation


def test_ifrs_without_conversion_keeps_currency(load):
    rev = _one(compute_metrics(load("ifrs_eur"), "annual", to_usd=False), "revenue", 2023)
    assert (rev.value, rev.unit, rev.currency) == (1000, "EUR", "EUR")


def test_january_year_end_labels_and_quarters(load):
    annual = compute_metrics(load("january_yearend"), "annual")
    assert list(annual.fiscal_year) == [2024, 2025]  # years ending Jan 2024 / Feb 2025
    fy25 = _one(annual, "revenue", 2025)  # 53-week year 2024-01-29 .. 2025-02-02
    assert (str(fy25.end), fy25.value, fy25.calendar_year) == ("2025-02-02", 1300, 2024)
    q = compute_metrics(load("january_yearend"), "quarterly")
    assert _one(q, "revenue", 2025, "Q1").value == 300
    assert _one(q, "revenue", 2026, "Q1").value == 400  # year in progress, inferred calendar


def test_company_fiscal_year_convention_from_dei(load):
    # Same dates, but the 10-Ks say DocumentFiscalYearFocus = start year: labels follow them
    annual = compute_metrics(load("retail_labels"), "annual")
    assert list(annual.fiscal_year) == [2023, 2024]
    q = compute_metrics(load("retail_labels"), "quarterly")
    assert _one(q, "revenue", 2024, "Q1").value == 300


def test_bad_arguments(load):
    facts = load("tag_switch")
    with pytest.raises(ValidationError):
        compute_metrics(facts, "monthly")
    with pytest.raises(NotFoundError) as err:
        compute_metrics(facts, "annual", ["revenu"])
    assert "revenue" in err.value.suggestions


def test_metric_selection_and_columns(load):
    df = compute_metrics(load("tag_switch"), "annual", ["free_cash_flow"])
    assert set(df.metric) == {"free_cash_flow"}  # inputs computed but not returned
    for col in (
        "metric",
        "fiscal_year",
        "fiscal_period",
        "start",
        "end",
        "value",
        "unit",
        "concept",
        "accession",
        "derivation",
        "evidence",
        "calendar_year",
        "calendar_quarter",
    ):
        assert col in df.columns
    assert list(METRICS)[:3] == ["revenue", "cost_of_revenue", "gross_profit"]


def test_cover_page_shares_are_a_marked_fallback(load):
    row = _one(
        compute_metrics(load("tag_switch"), "annual", ["shares_outstanding"]),
        "shares_outstanding",
        2022,
    )
    # dei:EntityCommonStockSharesOutstanding 5,000 as of 2023-02-10 on the FY2022 10-K
    assert (row.value, str(row.end)) == (5000, "2022-12-31")
    assert row.derivation == (
        "fallback: EntityCommonStockSharesOutstanding (cover page, as of 2023-02-10)"
    )


def test_company_metrics_prefers_the_store(load, tmp_path, monkeypatch):
    from stackatlas.errors import DataUnavailableError
    from stackatlas.fundamentals import company_metrics
    from stackatlas.store import Store

    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(DataUnavailableError):
            company_metrics(9000001, store=store)
        store.replace_rows("sec_facts", load("tag_switch"))
        df = company_metrics(9000001, "annual", ["revenue"], store=store)
    assert _one(df, "revenue", 2022).value == 1050


def test_filer_without_a_fiscal_year_yet(load):
    # 6-month YTD starts 2025-05-01 -> fiscal year 2025-05-01 .. 2026-04-30 = FY2026
    q = compute_metrics(load("new_filer"), "quarterly")
    assert list(zip(q.fiscal_period, q.value, strict=True)) == [("Q1", 10), ("Q2", 12)]
    assert set(q.fiscal_year) == {2026}
    assert compute_metrics(load("new_filer"), "annual").empty


def test_balances_align_with_the_fiscal_period_they_close(load):
    q = compute_metrics(load("september_ytd"), "quarterly", ["revenue", "cash"])
    cash_q2 = _one(q, "cash", 2024, "Q2")  # balance at 2024-03-30 closes Jan-Mar 2024
    assert (cash_q2.calendar_year, cash_q2.calendar_quarter) == (2024, 1)
    rev_q2 = _one(q, "revenue", 2024, "Q2")
    assert (rev_q2.calendar_year, rev_q2.calendar_quarter) == (2024, 1)
    annual = compute_metrics(load("january_yearend"), "annual")
    assert _one(annual, "revenue", 2024).calendar_year == 2023  # Jan 2023 - Jan 2024
