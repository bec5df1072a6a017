"""The Yahoo Finance provider on hand-written fixtures shaped like yfinance's DataFrames."""

from __future__ import annotations

import pandas as pd
import pytest

from stackatlas.atlas import load_atlas
from stackatlas.errors import DataUnavailableError
from stackatlas.evidence import Evidence
from stackatlas.resolver import FrameProvider, Resolver
from stackatlas.resolver.atlas_provider import AtlasFiguresProvider
from stackatlas.resolver.yahoo import (
    BASIS_PREFIX,
    Statements,
    YahooCache,
    YahooFinanceProvider,
    yfinance_statements,
)
from tests.builders import fundamentals_frame

from .yahoo_fakes import FakeTicker, statement

KRW_2023 = 1306.7637  # KRW per USD, Federal Reserve G.5A 2023 annual average (2024-02-01)


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def _download(symbol: str) -> Statements:
    return yfinance_statements(symbol, ticker_factory=FakeTicker)


def _provider(tmp_path, **kw) -> YahooFinanceProvider:
    kw.setdefault("offline", False)
    return YahooFinanceProvider(download=_download, cache=YahooCache(tmp_path / "yahoo"), **kw)


def _resolver(atlas, provider, *before) -> Resolver:
    return Resolver(atlas, [*before, provider, AtlasFiguresProvider(atlas)])


@pytest.mark.parametrize(
    ("company", "revenue_krw", "oi_krw"),
    [
        # Samsung Electronics FY2023 results (2024-01-31): revenue 258.9355 trn, OP 6.567 trn
        ("samsung", 258_935.5e9, 6_567.0e9),
        # SK hynix 2023: revenue 32,765,719 M KRW, operating loss 7,730,313 M KRW
        ("sk-hynix", 32_765_719e6, -7_730_313e6),
    ],
)
def test_korean_memory_makers_resolve_in_usd(atlas, tmp_path, company, revenue_krw, oi_krw):
    resolver = _resolver(atlas, _provider(tmp_path))
    rev = resolver.resolve(company, "revenue", "CY2023")
    oi = resolver.resolve(company, "operating_income", "CY2023")
    assert rev.value == pytest.approx(
        revenue_krw / KRW_2023, rel=1e-7
    )  # the table keeps 8 significant digits
    assert oi.value == pytest.approx(
        oi_krw / KRW_2023, rel=1e-7
    )  # the table keeps 8 significant digits
    for r in (rev, oi):
        assert r.source == "yahoo" and r.evidence is Evidence.DERIVED  # converted
        assert r.basis.startswith("FY2023 (2023-01-01..2023-12-31) is CY2023")
    rec = resolver.company(company).annual
    rec = rec[(rec.metric == "revenue") & (rec.period == "2023")].iloc[0]
    fiscal = resolver.company(company).fiscal
    fy23 = fiscal[(fiscal.metric == "revenue") & (fiscal.fiscal_year == 2023)].iloc[0]
    assert fy23["basis"] == (
        f"{BASIS_PREFIX}: TotalRevenue, fiscal year to 2023-12-31 (KRW {revenue_krw:,.0f}); "
        "converted from KRW at 0.000765249 USD/KRW (2023 annual average, Federal Reserve "
        "G.5A, 2024-02-01)"
    )
    assert rec["reference"].startswith(f"Yahoo Finance {atlas.companies[company].ticker}")


def test_2024_says_which_rate_is_missing(atlas, tmp_path):
    resolver = _resolver(atlas, _provider(tmp_path))
    rev = resolver.resolve("samsung", "revenue", "CY2024")
    assert rev.value is None and rev.evidence is Evidence.UNRESOLVED
    assert "no FX rate for KRW 2024" in rev.basis and "STACKATLAS_FX_FILE" in rev.basis


def test_capex_absent_from_yahoo_is_not_zero(atlas, tmp_path):
    resolver = _resolver(atlas, _provider(tmp_path))
    capex = resolver.resolve("samsung", "capex", "CY2023")
    assert capex.value is None and capex.evidence is Evidence.UNRESOLVED


def test_without_the_provider_nothing_changes(atlas):
    rev = Resolver(atlas, [AtlasFiguresProvider(atlas)]).resolve("samsung", "revenue", "CY2023")
    assert rev.value is None


def test_statements_are_cached_and_a_bad_answer_never_replaces_them(atlas, tmp_path):
    cache = YahooCache(tmp_path / "yahoo")
    first = YahooFinanceProvider(download=_download, cache=cache, offline=False)
    first.statements("005930.KS")
    assert cache.get("005930.KS") is not None

    def broken(symbol: str) -> Statements:
        raise ConnectionError("no network")

    stale = YahooFinanceProvider(
        download=broken, cache=cache, offline=False, max_age=pd.Timedelta(0)
    )
    got = stale.statements("005930.KS")
    assert got.currency == "KRW" and "unreachable" in stale.notes["005930.KS"]

    def empty(symbol: str) -> Statements:  # what yfinance answers offline: empty frames
        return yfinance_statements("NOPE", ticker_factory=FakeTicker)

    with pytest.raises(ValueError, match="no statement currency"):
        empty("NOPE")
    assert cache.get("005930.KS").frames["income_yearly"].shape == (2, 2)


def test_offline_without_a_copy_says_so(atlas, tmp_path):
    provider = _provider(tmp_path, offline=True)
    with pytest.raises(
        DataUnavailableError, match=r"offline and no cached statements for 005930\.KS"
    ):
        provider.statements("005930.KS")
    why = _resolver(atlas, provider).company("samsung").reasons["yahoo"]
    assert why.startswith("Yahoo Finance: offline")


def test_a_filing_period_is_never_read_from_yahoo(atlas, tmp_path):
    # an SEC-filing provider with Samsung's CY2023 revenue only (stand-in): Yahoo's CY2023
    # operating income is dropped too (same company-period), CY2024 stays Yahoo's
    filed = fundamentals_frame([("revenue", 2023, "FY", "2023-01-01", "2023-12-31", 1.0e11)])
    sec = FrameProvider({"samsung": filed}, name="sec-test", filing=True)
    resolver = _resolver(atlas, _provider(tmp_path), sec)
    assert resolver.resolve("samsung", "revenue", "CY2023").source == "sec-test"
    assert resolver.resolve("samsung", "operating_income", "CY2023").value is None
    cy24 = resolver.resolve("samsung", "revenue", "CY2024")  # Yahoo's row, only no KRW rate
    assert "Yahoo Finance, not an SEC filing" in cy24.basis
    assert "no FX rate for KRW 2024" in cy24.basis


def test_fixture_shape_matches_yfinance():
    frame = statement("005930.KS", "income_yearly")
    assert frame.index.dtype == object and isinstance(frame.columns, pd.DatetimeIndex)
    assert list(frame.columns) == sorted(frame.columns, reverse=True)
    assert (frame.dtypes == "float64").all()
    yf = pytest.importorskip("yfinance")
    for name in ("get_income_stmt", "get_cash_flow", "get_info"):
        assert callable(getattr(yf.Ticker, name))


def test_coverage_shows_the_provider_and_what_is_still_missing(atlas, tmp_path):
    from stackatlas.analysis.coverage_result import coverage

    cov = coverage(atlas, years=[2023, 2024], resolver=_resolver(atlas, _provider(tmp_path)))
    cells = cov.cells.set_index(["company", "metric", "year"])
    for company in ("samsung", "sk-hynix"):
        for metric in ("revenue", "operating_income"):
            got = cells.loc[(company, metric, 2023)]
            assert got["status"] == "resolved" and got["source"] == "yahoo"
            assert got["source_label"] == "Yahoo Finance (not an SEC filing)"
        gap = cells.loc[(company, "revenue", 2024)]
        assert gap["status"] == "missing" and gap["reason"] == "no FX rate for KRW 2024"
        assert "STACKATLAS_FX_FILE" in gap["fix"]
        capex = cells.loc[(company, "capex", 2023)]
        assert capex["reason"] == "Yahoo Finance: no capex for any year"
    chips = cov.layer_share("chips", 2023)
    assert {"samsung", "sk-hynix"}.isdisjoint(chips["missing"])
