"""Real price folders (../shared/data/prices) and the shipped atlas."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from stackatlas.atlas import load_atlas
from stackatlas.portfolio import analyze_portfolio
from stackatlas.portfolio.prices import read_price_dir
from stackatlas.portfolio.risk import market_risk

pytestmark = pytest.mark.realdata


def _closes(path: Path, column: str) -> list[float]:
    with path.open(encoding="utf-8") as f:
        return [float(r[column]) for r in csv.DictReader(f)]


def test_recent_folder_every_series_in_summary(shared_data: Path) -> None:
    folder = shared_data / "prices" / "recent"
    book = read_price_dir(folder)
    with (folder / "_summary.csv").open(encoding="utf-8") as f:
        summary = list(csv.DictReader(f))
    present = [r for r in summary if (folder / f"prices_{r['File']}").exists()]
    assert len(present) == len(book.series) == 26  # the summary also lists absent series
    for row in present:  # ^GSPC is stored as prices_GSPC.csv; both names find it
        series = book.get(row["Ticker"])
        assert series is not None, row["Ticker"]
        assert len(series) == int(row["Records"])
        assert series.index[0].date().isoformat() == row["Start"]


def test_recent_benchmark_falls_back_to_gspc(shared_data: Path) -> None:
    folder = shared_data / "prices" / "recent"
    res = market_risk(load_atlas(), read_price_dir(folder), benchmark="SPY", years=1.0)
    assert res.benchmark == "^GSPC"
    assert any("using ^GSPC" in n for n in res.notes)
    # the S&P 500 row, recomputed from the raw file with the csv module
    p = _closes(folder / "prices_GSPC.csv", "Close")
    r = [p[i] / p[i - 1] - 1 for i in range(1, len(p))]
    mean = sum(r) / len(r)
    vol = math.sqrt(sum((x - mean) ** 2 for x in r) / (len(r) - 1) * 252)
    peak, mdd = p[0], 0.0
    for x in p:
        peak = max(peak, x)
        mdd = min(mdd, x / peak - 1)
    row = res.stats.set_index("kind").loc["benchmark"]
    assert row["ann_volatility"] == pytest.approx(vol)
    assert row["max_drawdown"] == pytest.approx(mdd)
    assert row["ann_return"] == pytest.approx((p[-1] / p[0]) ** (252 / (len(p) - 1)) - 1)


def test_history_folder_uses_adj_close(shared_data: Path) -> None:
    folder = shared_data / "prices" / "history"
    book = read_price_dir(folder)
    adj = _closes(folder / "prices_NVDA.csv", "Adj Close")
    nvda = book.get("NVDA")
    assert list(nvda)[:3] == adj[:3] and nvda.iloc[-1] == adj[-1]  # 875.280029 on 2024-03-08
    res = market_risk(load_atlas(), book, years=3.0)
    assert res.benchmark is None  # the history folder has no index series
    assert str(res.stats["end"].iloc[0]) == "2024-03-08"


def test_example_portfolio_with_real_prices(shared_data: Path) -> None:
    example = Path(__file__).parents[2] / "examples" / "portfolio.csv"
    report = analyze_portfolio(example, prices_dir=shared_data / "prices" / "recent")
    assert [(u.line, u.ticker) for u in report.unknown] == [(17, "TXN")]  # line 1: a title
    h = report.holdings.set_index("ticker")
    assert h.loc["GOOGL", "company"] == "alphabet"
    assert report.layers["exposure"].sum() == pytest.approx(1.0)
    assert report.risk is not None and "portfolio" in set(report.risk.stats["name"])


def test_example_portfolio_needs_no_prices_for_exposure(shared_data: Path) -> None:
    """The shipped example carries its own Last Price (the 2026-05-11 closes): exposure is the
    same with or without a prices folder; only market risk needs the daily history."""
    example = Path(__file__).parents[2] / "examples" / "portfolio.csv"
    bare = analyze_portfolio(example)  # tests run with STACKATLAS_OFFLINE=1: no prices at all
    priced = analyze_portfolio(example, prices_dir=shared_data / "prices" / "recent")
    assert bare.layers["exposure"].tolist() == pytest.approx(priced.layers["exposure"].tolist())
    assert bare.risk is None
    assert any("market risk skipped: it needs daily price history" in n for n in bare.notes)
