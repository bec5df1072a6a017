"""A foreign filer's own US-dollar convenience translation (20-F), preferred over our FX."""

from __future__ import annotations

import pytest

from stackatlas.fundamentals import compute_metrics
from stackatlas.sec.companyfacts import read_companyfacts

M = 1e6


def _one(df, metric, year):
    sub = df[(df.metric == metric) & (df.fiscal_year == year) & (df.fiscal_period == "FY")]
    assert len(sub) == 1, (metric, year, len(sub))
    return sub.iloc[0]


@pytest.fixture
def formosa(fixtures):
    # hand-made: TWD statements with USD convenience figures at 30 TWD per USD; the 2022
    # revenue (2,700) was restated to 2,760 in the next 20-F, which gives no USD figure for it
    return read_companyfacts(fixtures / "fundamentals" / "ifrs_twd_convenience.json")


def test_convenience_translation_is_the_filers_number(formosa):
    df = compute_metrics(formosa, "annual")
    rev = _one(df, "revenue", 2023)
    assert rev.value == 100 and rev.evidence == "reported"
    assert rev.derivation == (
        "reported; the filer's US-dollar convenience translation in filing "
        "0009000004-24-000010 (30 TWD per USD, implied by its TWD and USD figures)"
    )
    assert _one(df, "capex", 2023).value == 30
    assert _one(df, "operating_cash_flow", 2022).value == 40


def test_a_restated_figure_is_not_read_from_the_stale_translation(formosa):
    rev = _one(compute_metrics(formosa, "annual"), "revenue", 2022)
    # 2,760 TWD restated x 1/29.7963 (G.5A 2022 TWD average), not the old 90 USD
    assert rev.value == pytest.approx(2760 / 29.7963, rel=1e-6)
    assert rev.evidence == "derived" and "converted from TWD" in rev.derivation


def test_local_currency_kept_without_usd(formosa):
    rev = _one(compute_metrics(formosa, "annual", to_usd=False), "revenue", 2023)
    assert rev.value == 3000 and rev.unit == "TWD"


def test_a_lone_usd_fact_is_not_a_translation(load_ifrs_eur):
    # one USD revenue figure next to EUR statements (ifrs_eur fixture): not a translation
    rev = _one(compute_metrics(load_ifrs_eur, "annual"), "revenue", 2023)
    assert rev.value == pytest.approx(1081.7) and rev.currency == "EUR"


@pytest.fixture
def load_ifrs_eur(fixtures):
    return read_companyfacts(fixtures / "fundamentals" / "ifrs_eur.json")


@pytest.mark.realdata
def test_tsmc_2024_from_its_20f_usd_figures(shared_data):
    # TSMC 20-F for 2024 (accession 0001193125-25-083423), USD convenience figures read by hand
    # from ../shared/data/sec/companyfacts/CIK0001046179.json: revenue US$88,268.0M, operating
    # income 40,318.8M, operating cash flow 55,693.1M, PP&E purchases 29,155.4M; NT$ revenue
    # 2,894,307.7M / 88,268.0M = 32.79 NT$ per US$
    facts = read_companyfacts(shared_data / "sec" / "companyfacts" / "CIK0001046179.json")
    df = compute_metrics(facts, "annual")
    expected = {
        "revenue": 88_268.0,
        "operating_income": 40_318.8,
        "operating_cash_flow": 55_693.1,
        "capex": 29_155.4,
    }
    for metric, value in expected.items():
        row = _one(df, metric, 2024)
        assert row.value == pytest.approx(value * M), metric
        assert row.evidence == "reported"
        assert "0001193125-25-083423 (32.79 TWD per USD" in row.derivation
    assert _one(df, "revenue", 2023).value == pytest.approx(70_598.8 * M)  # 2023 20-F


@pytest.mark.realdata
def test_tsmc_ttm_no_longer_raises(shared_data):
    # regression: `sec metrics --period ttm` on TSMC's IFRS file raised TypeError in fx.py
    facts = read_companyfacts(shared_data / "sec" / "companyfacts" / "CIK0001046179.json")
    ttm = compute_metrics(facts, "ttm")
    flows = ttm[ttm.metric == "revenue"]
    assert flows["value"].isna().all()  # a 20-F filer has no quarterly flows: never a number
