"""Market risk by layer and for the portfolio, from daily closes.

Definitions (daily simple returns ``r_t = P_t / P_{t-1} - 1``, 252 trading days a year):

* annualized return: ``(P_end / P_start) ** (252 / n) - 1`` with ``n`` daily returns;
* annualized volatility: sample standard deviation of ``r`` (ddof=1) times ``sqrt(252)``;
* max drawdown: the lowest ``P_t / max(P_0..P_t) - 1`` (a negative fraction);
* beta: ``cov(r, r_bench) / var(r_bench)`` (ddof=1) over the days both have a return.

Layer baskets hold every listed atlas company with prices, in its primary layer (the layer with
the largest membership weight). Baskets are rebalanced daily to fixed weights; on a day a
member has no return, the others are renormalized. Equal weights always; cap weights only when
market capitalisations are supplied (``_market_caps.csv`` in the prices folder) - the atlas
carries none - otherwise the report says so and shows equal weights only. The portfolio series
uses the positions' weights over the names that have prices (coverage is reported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.display import json_value, records
from stackatlas.errors import DataUnavailableError
from stackatlas.evidence import Evidence
from stackatlas.portfolio.exposure import primary_layer
from stackatlas.portfolio.prices import PriceBook, price_key
from stackatlas.portfolio.resolve import Position

TRADING_DAYS = 252
SHORT_WINDOW_DAYS = 60


def annualized_return(levels: pd.Series) -> float:
    levels = levels.dropna()
    n = len(levels) - 1
    if n < 1:
        return math.nan
    return float((levels.iloc[-1] / levels.iloc[0]) ** (TRADING_DAYS / n) - 1)


def annualized_volatility(returns: pd.Series) -> float:
    r = returns.dropna()
    return float(r.std(ddof=1) * math.sqrt(TRADING_DAYS)) if len(r) > 1 else math.nan


def drawdown(levels: pd.Series) -> pd.Series:
    return levels / levels.cummax() - 1


def max_drawdown(levels: pd.Series) -> float:
    levels = levels.dropna()
    return float(drawdown(levels).min()) if len(levels) else math.nan


def beta(returns: pd.Series, bench_returns: pd.Series) -> float:
    both = pd.concat([returns, bench_returns], axis=1, join="inner").dropna()
    if len(both) < 3:
        return math.nan
    x, y = both.iloc[:, 1].to_numpy(), both.iloc[:, 0].to_numpy()
    var = np.var(x, ddof=1)
    return float(np.cov(y, x, ddof=1)[0, 1] / var) if var > 0 else math.nan


def basket_levels(
    series: dict[str, pd.Series],
    weights: dict[str, float] | None = None,
) -> pd.Series:
    """Index (starting at 1.0) of a daily-rebalanced basket of close series."""
    closes = pd.DataFrame(series).sort_index()
    rets = closes.pct_change(fill_method=None).iloc[1:]
    w = pd.Series(weights if weights else {k: 1.0 for k in closes.columns}, dtype=float)
    w = w.reindex(closes.columns).fillna(0.0)
    present = rets.notna().astype(float) * w
    day = (rets.fillna(0.0) * w).sum(axis=1) / present.sum(axis=1).replace(0.0, np.nan)
    levels = (1 + day.fillna(0.0)).cumprod()
    start = pd.Series([1.0], index=closes.index[:1])
    return pd.concat([start, levels]).rename(None)


def stats_row(
    name: str,
    kind: str,
    levels: pd.Series,
    bench: pd.Series | None,
    weighting: str = "",
    members: int = 0,
    coverage: float | None = None,
) -> dict:
    rets = levels.pct_change(fill_method=None)
    bench_rets = bench.pct_change(fill_method=None) if bench is not None else None
    return {
        "name": name,
        "kind": kind,
        "weighting": weighting,
        "members": members,
        "coverage": coverage,
        "ann_return": annualized_return(levels),
        "ann_volatility": annualized_volatility(rets),
        "max_drawdown": max_drawdown(levels),
        "beta": beta(rets, bench_rets) if bench_rets is not None else math.nan,
        "start": levels.index[0].date().isoformat() if len(levels) else None,
        "end": levels.index[-1].date().isoformat() if len(levels) else None,
        "days": max(len(levels) - 1, 0),
        "evidence": Evidence.DERIVED.value,
    }  # computed from market prices


@dataclass
class RiskResult:
    """Risk table (one row per basket), correlation of daily returns, index levels, notes."""

    stats: pd.DataFrame
    correlation: pd.DataFrame
    levels: pd.DataFrame  # wide: date x basket name, each starting at 1.0
    benchmark: str | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "benchmark": self.benchmark,
            "stats": records(self.stats),
            "correlation": {
                k: {c: json_value(v) for c, v in row.items()}
                for k, row in self.correlation.to_dict(orient="index").items()
            },
            "notes": self.notes,
        }


def _window(s: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return s[(s.index >= start) & (s.index <= end)]


def market_risk(
    atlas: Atlas,
    book: PriceBook,
    positions: list[Position] | None = None,
    *,
    benchmark: str = "SPY",
    years: float = 3.0,
) -> RiskResult:
    """Layer baskets (equal / cap weighted), the portfolio and the benchmark over ``years``."""
    notes: list[str] = []  # price-loading notes stay on the PriceBook
    if not book.series:
        raise DataUnavailableError(f"no price series in {book.origin}")
    bench: pd.Series | None = None
    try:
        bench_name, bench_full, note = book.benchmark(benchmark)
        if note:
            notes.append(note)
        end = bench_full.index[-1]
        first = bench_full.index[0]
    except DataUnavailableError as exc:
        bench_name, bench_full = None, None
        notes.append(f"{exc}; beta not computed")
        end = max(s.index[-1] for s in book.series.values())
        first = min(s.index[0] for s in book.series.values())
    start = max(first, end - pd.DateOffset(days=round(365.25 * years)))
    if bench_full is not None:
        bench = _window(bench_full, start, end)
        if len(bench) < SHORT_WINDOW_DAYS:
            notes.append(
                f"short window ({len(bench) - 1} daily returns): annualized figures are unreliable"
            )
    members: dict[str, dict[str, pd.Series]] = {lid: {} for lid in atlas.layer_ids}
    for c in atlas.companies.values():
        if not c.listed:
            continue
        hit = book.first_of([c.ticker, *c.other_tickers])
        layer = primary_layer(atlas, c.id)
        if hit is None or layer is None:
            continue
        s = _window(hit[1], start, end)
        if len(s) > 1:
            members[layer][hit[0]] = s
    rows, levels = [], {}
    for lid, group in members.items():
        if not group:
            notes.append(f"layer {lid}: no member has prices in {book.origin}")
            continue
        lv = basket_levels(group)
        levels[f"{lid} (equal)"] = lv
        rows.append(stats_row(lid, "layer", lv, bench, "equal", len(group)))
        caps = {
            t: book.market_caps[price_key(t)] for t in group if price_key(t) in book.market_caps
        }
        if caps:
            lv = basket_levels({t: group[t] for t in caps}, caps)
            levels[f"{lid} (cap)"] = lv
            rows.append(stats_row(lid, "layer", lv, bench, "cap", len(caps)))
    if not book.market_caps:
        notes.append(
            "cap-weighted baskets not shown: the atlas carries no market "
            "capitalisations; add _market_caps.csv (ticker, market_cap) to the prices "
            "folder to get them"
        )
    if positions:
        series, weights, priced = _portfolio_members(atlas, book, positions, start, end, notes)
        total = sum(p.weight for p in positions)
        if series:
            lv = basket_levels(series, weights)
            levels["portfolio"] = lv
            rows.append(
                stats_row(
                    "portfolio",
                    "portfolio",
                    lv,
                    bench,
                    "holdings",
                    len(series),
                    priced / total if total else None,
                )
            )
            if priced < total - 1e-9:
                notes.append(
                    f"portfolio risk covers {priced / total:.0%} of the portfolio "
                    "(names with prices); the rest is left out"
                )
        else:
            notes.append("portfolio risk not computed: no holding has prices")
    if bench is not None and bench_name is not None:
        bench_levels = bench / bench.iloc[0]
        levels[f"benchmark {bench_name}"] = bench_levels
        rows.append(stats_row(bench_name, "benchmark", bench_levels, bench, "", 1))
    wide = pd.DataFrame(levels)
    corr = wide.pct_change(fill_method=None).corr()
    return RiskResult(pd.DataFrame(rows), corr, wide, bench_name, notes)


def _portfolio_members(
    atlas: Atlas,
    book: PriceBook,
    positions: list[Position],
    start: pd.Timestamp,
    end: pd.Timestamp,
    notes: list[str],
) -> tuple[dict[str, pd.Series], dict[str, float], float]:
    series: dict[str, pd.Series] = {}
    weights: dict[str, float] = {}
    priced = 0.0
    for p in positions:
        if p.kind in {"cash", "fund-cash", "fund-uncovered"}:
            continue
        cands: list[str | None] = [p.ticker]
        if p.company:
            c = atlas.companies[p.company]
            cands += [c.ticker, *c.other_tickers]
        hit = book.first_of(cands)
        if hit is None:
            continue
        s = _window(hit[1], start, end)
        if len(s) < 2:
            continue
        key = price_key(hit[0])
        if key != price_key(p.ticker) and p.via is None:
            notes.append(
                f"returns of {p.ticker} taken from {hit[0]}, another listing of the "
                "same company (currency and ratio may differ)"
            )
        series[key] = s
        weights[key] = weights.get(key, 0.0) + p.weight
        priced += p.weight
    return series, weights, priced
