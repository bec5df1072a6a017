"""Volatility, drawdown and beta on fixture prices, against values computed here by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import DataUnavailableError, ValidationError
from stackatlas.portfolio.prices import load_prices, read_price_dir
from stackatlas.portfolio.resolve import Position
from stackatlas.portfolio.risk import market_risk

# the fixture series (tests/fixtures/portfolio/prices), typed out again here
SPY = [100.0, 101.0, 99.0, 102.0, 103.0, 101.0]
NVDA_ADJ = [10.0, 11.0, 10.5, 12.0, 11.0, 12.5]  # Adj Close column (Close is 2x)
TSM = [50.0, 49.0, 51.0, 52.0, 50.0, 53.0]
CEG = [20.0, 20.5, 20.2, 21.0, 21.5, 21.2]


def _rets(p: list[float]) -> list[float]:
    return [p[i] / p[i - 1] - 1 for i in range(1, len(p))]


def _vol(r: list[float]) -> float:
    mean = sum(r) / len(r)
    return math.sqrt(sum((x - mean) ** 2 for x in r) / (len(r) - 1)) * math.sqrt(252)


def _mdd(p: list[float]) -> float:
    peak, worst = p[0], 0.0
    for x in p:
        peak = max(peak, x)
        worst = min(worst, x / peak - 1)
    return worst


def _beta(r: list[float], rb: list[float]) -> float:
    return float(np.polyfit(rb, r, 1)[0])  # OLS slope = cov / var


@pytest.fixture
def book(fixtures: Path):
    return read_price_dir(fixtures / "portfolio" / "prices")


def test_price_dir_prefers_adj_close(book) -> None:
    assert list(book.get("nvda")) == NVDA_ADJ
    assert list(book.get("CEG")) == CEG  # lower-case / spaced header 'date , close'
    assert book.latest_close(["XXX", "TSM"]) == 53.0


def test_layer_and_portfolio_risk(atlas: Atlas, book) -> None:
    positions = [
        Position(2, "NVDA", "NVDA", 0.5, "company", "nvidia"),
        Position(3, "2330.TW", "2330.TW", 0.3, "company", "tsmc"),
        Position(4, "CEG", "CEG", 0.2, "company", "constellation"),
    ]
    res = market_risk(atlas, book, positions, benchmark="SPY")
    stats = res.stats.set_index(["name", "weighting"])
    rb = _rets(SPY)

    energy = stats.loc[("energy", "equal")]  # CEG alone
    assert energy["ann_volatility"] == pytest.approx(_vol(_rets(CEG)))
    assert energy["max_drawdown"] == pytest.approx(_mdd(CEG))
    assert energy["beta"] == pytest.approx(_beta(_rets(CEG), rb))
    assert energy["ann_return"] == pytest.approx((21.2 / 20.0) ** (252 / 5) - 1)

    # chips basket: NVDA and TSM equal weight, rebalanced daily
    chips_r = [(a + b) / 2 for a, b in zip(_rets(NVDA_ADJ), _rets(TSM), strict=True)]
    chips_p = list(np.cumprod([1.0, *[1 + x for x in chips_r]]))
    chips = stats.loc[("chips", "equal")]
    assert chips["members"] == 2
    assert chips["ann_volatility"] == pytest.approx(_vol(chips_r))
    assert chips["max_drawdown"] == pytest.approx(_mdd(chips_p))
    assert chips["beta"] == pytest.approx(_beta(chips_r, rb))

    port_r = [
        0.5 * a + 0.3 * b + 0.2 * c
        for a, b, c in zip(_rets(NVDA_ADJ), _rets(TSM), _rets(CEG), strict=True)
    ]
    port = stats.loc[("portfolio", "holdings")]
    assert port["ann_volatility"] == pytest.approx(_vol(port_r))
    assert port["beta"] == pytest.approx(_beta(port_r, rb))
    assert port["coverage"] == pytest.approx(1.0)

    bench = stats.loc[("SPY", "")]
    assert bench["beta"] == pytest.approx(1.0)
    assert bench["max_drawdown"] == pytest.approx(99 / 101 - 1)

    assert res.correlation.loc["chips (equal)", "energy (equal)"] == pytest.approx(
        float(np.corrcoef(chips_r, _rets(CEG))[0, 1])
    )
    assert any("cap-weighted baskets not shown" in n for n in res.notes)
    assert any("layer cloud: no member has prices" in n for n in res.notes)


def test_cap_weights_from_market_caps_file(atlas: Atlas, fixtures: Path, tmp_path: Path) -> None:
    for f in (fixtures / "portfolio" / "prices").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "_market_caps.csv").write_text("ticker,market_cap\nNVDA,3000\nTSM,1000\n")
    res = market_risk(atlas, read_price_dir(tmp_path))
    chips = res.stats.set_index(["name", "weighting"]).loc[("chips", "cap")]
    cap_r = [0.75 * a + 0.25 * b for a, b in zip(_rets(NVDA_ADJ), _rets(TSM), strict=True)]
    assert chips["ann_volatility"] == pytest.approx(_vol(cap_r))


def test_benchmark_fallback_is_stated(atlas: Atlas, fixtures: Path, tmp_path: Path) -> None:
    (tmp_path / "prices_GSPC.csv").write_text(
        (fixtures / "portfolio" / "prices" / "SPY.csv").read_text()
    )
    (tmp_path / "CEG.csv").write_text((fixtures / "portfolio" / "prices" / "CEG.csv").read_text())
    res = market_risk(atlas, read_price_dir(tmp_path), benchmark="SPY")
    assert res.benchmark == "^GSPC"
    assert any("benchmark SPY has no prices" in n and "using ^GSPC" in n for n in res.notes)


def test_no_benchmark_still_gives_risk(atlas: Atlas, tmp_path: Path, fixtures: Path) -> None:
    (tmp_path / "CEG.csv").write_text((fixtures / "portfolio" / "prices" / "CEG.csv").read_text())
    res = market_risk(atlas, read_price_dir(tmp_path))
    assert res.benchmark is None
    energy = res.stats.set_index("name").loc["energy"]
    assert energy["ann_volatility"] == pytest.approx(_vol(_rets(CEG)))
    assert math.isnan(energy["beta"])
    assert any("no benchmark prices" in n and "beta not computed" in n for n in res.notes)


def test_bad_price_file(tmp_path: Path) -> None:
    (tmp_path / "X.csv").write_text("Date,Close\n2026-01-05,10\n2026-01-06,abc\n")
    with pytest.raises(ValidationError) as info:
        read_price_dir(tmp_path)
    p = info.value.problems[0]
    assert (p.line, p.column) == (3, "Close")


def test_offline_without_dir_or_cache() -> None:
    with pytest.raises(DataUnavailableError, match="--prices DIR"):
        load_prices(["NVDA"])  # isolated empty store, STACKATLAS_OFFLINE=1 (conftest)


def _history(adj: list[float]):
    import pandas as pd

    idx = pd.DatetimeIndex(
        ["2026-01-05", "2026-01-06", "2026-01-07"][: len(adj)], tz="America/New_York"
    )
    return pd.DataFrame(
        {"Close": [2 * a for a in adj], "Adj Close": adj, "Volume": [5] * len(adj)}, index=idx
    )


def test_yfinance_download_is_cached_in_the_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys
    import types

    from stackatlas.store.store import Store

    calls: list[str] = []

    class FakeTicker:  # stands in for yfinance.Ticker (no network in tests)
        def __init__(self, t: str) -> None:
            self.t = t

        def history(self, **kwargs):
            calls.append(self.t)
            return _history([1.0, 1.5]) if self.t == "NVDA" else _history([])

    monkeypatch.setitem(sys.modules, "yfinance", types.SimpleNamespace(Ticker=FakeTicker))
    monkeypatch.setenv("STACKATLAS_OFFLINE", "0")
    book = load_prices(["NVDA", "NOPE"])
    assert list(book.get("NVDA")) == [1.0, 1.5]
    assert any("no prices returned for NOPE" in n for n in book.notes)
    with Store() as store:
        rows = store.query("SELECT ticker, date, close, adj_close FROM prices ORDER BY date")
    assert rows["close"].tolist() == [2.0, 3.0] and str(rows["date"].iloc[0])[:10] == "2026-01-05"
    # second call: served from the store, offline, without downloading again
    monkeypatch.setenv("STACKATLAS_OFFLINE", "1")
    again = load_prices(["NVDA"])
    assert list(again.get("NVDA")) == [1.0, 1.5] and calls == ["NOPE", "NVDA"]
    # and analyze_portfolio values shares with the cached close, offline
    from stackatlas.portfolio import analyze_portfolio
    from tests.builders import portfolio_atlas

    path = tmp_path / "p.csv"
    path.write_text("ticker,shares\nNVDA,4\nCASH,2\n")
    report = analyze_portfolio(path, atlas=portfolio_atlas())
    w = report.holdings.set_index("ticker")["weight"]
    assert w["NVDA"] == pytest.approx(6 / 8)  # 4 x 1.5 (cached adj close) vs cash 2
    assert any("offline: no cached prices for" in n for n in report.notes)


def test_yfinance_missing_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "yfinance", None)  # import fails
    monkeypatch.setenv("STACKATLAS_OFFLINE", "0")
    with pytest.raises(DataUnavailableError, match=r"stackatlas\[prices\]"):
        load_prices(["NVDA"])


def test_download_failures_give_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, atlas: Atlas, write_csv
) -> None:
    import sys
    import types

    from stackatlas.portfolio import analyze_portfolio

    class DeadTicker:
        def __init__(self, t: str) -> None:
            pass

        def history(self, **kwargs):
            raise OSError("Could not resolve host: query2.finance.yahoo.com")

    monkeypatch.setitem(sys.modules, "yfinance", types.SimpleNamespace(Ticker=DeadTicker))
    monkeypatch.setenv("STACKATLAS_OFFLINE", "0")
    with pytest.raises(DataUnavailableError, match="OSError: Could not resolve host"):
        load_prices(["A", "B", "C", "D"])
    # the report goes on without market risk and says why
    report = analyze_portfolio(write_csv("ticker,weight\nNVDA,1\n"), atlas=atlas)
    assert report.risk is None
    assert any(n.startswith("prices unavailable: could not download") for n in report.notes)


def test_quiet_yfinance_failure_is_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, atlas: Atlas, write_csv
) -> None:
    """Regression: offline, yfinance returns empty frames without raising; the report used to
    crash in market_risk with ``max() arg is an empty sequence``."""
    import sys
    import types

    from stackatlas.portfolio import analyze_portfolio

    class EmptyTicker:
        def __init__(self, t: str) -> None:
            pass

        def history(self, **kwargs):
            return _history([])

    monkeypatch.setitem(sys.modules, "yfinance", types.SimpleNamespace(Ticker=EmptyTicker))
    monkeypatch.setenv("STACKATLAS_OFFLINE", "0")
    with pytest.raises(DataUnavailableError, match="yfinance returned nothing"):
        load_prices(["NVDA", "SPY"])
    report = analyze_portfolio(write_csv("ticker,weight\nNVDA,0.9\nCASH,0.1\n"), atlas=atlas)
    assert report.risk is None
    assert any("yfinance returned nothing" in n for n in report.notes)
    with pytest.raises(DataUnavailableError, match="weights need prices"):
        analyze_portfolio(write_csv("ticker,shares\nNVDA,4\nCASH,100\n"), atlas=atlas)


def test_empty_price_book_is_data_unavailable(atlas: Atlas) -> None:
    from stackatlas.portfolio.prices import PriceBook

    with pytest.raises(DataUnavailableError, match="no price series"):
        market_risk(atlas, PriceBook({}, "nowhere"))


def test_benchmark_error_names_each_ticker_once() -> None:
    from stackatlas.portfolio.prices import PriceBook

    with pytest.raises(DataUnavailableError) as info:
        PriceBook({}, "here").benchmark("SPY")
    assert "none of SPY, ^GSPC, GSPC in here" in str(info.value)


def test_ragged_or_infinite_price_file(tmp_path: Path) -> None:
    """Regression (issue 11, found by tests/hostile/test_fuzz.py): a row with extra fields
    raised pandas' ParserError; an 'inf' close was accepted."""
    (tmp_path / "X.csv").write_text("Date,Close\n2026-01-05,10\n2026-01-06,11,12,13\n")
    with pytest.raises(ValidationError, match="unreadable price CSV") as info:
        read_price_dir(tmp_path)
    assert info.value.problems[0].line == 3
    (tmp_path / "X.csv").write_text("Date,Close\n2026-01-05,10\n2026-01-06,inf\n")
    with pytest.raises(ValidationError) as info:
        read_price_dir(tmp_path)
    assert (info.value.problems[0].line, info.value.problems[0].column) == (3, "Close")
