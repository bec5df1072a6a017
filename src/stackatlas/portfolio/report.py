"""``analyze_portfolio``: one call from a holdings file to a typed ``PortfolioReport``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Group as RichGroup

from stackatlas.atlas.atlas import Atlas, normalize_ticker
from stackatlas.display import json_value, records
from stackatlas.errors import DataUnavailableError, StoreError
from stackatlas.notebook import Tabular
from stackatlas.portfolio import exposure as ex
from stackatlas.portfolio.etf import FundHoldings, parse_etf_arg, shipped_funds
from stackatlas.portfolio.holdings import (
    Holding,
    HoldingsFile,
    ReadOptions,
    holding_values,
    read_holdings,
)
from stackatlas.portfolio.prices import PriceBook, load_prices
from stackatlas.portfolio.profiles import (
    DISCLAIMER,
    Profile,
    compare_profile,
    gap_sentences,
    get_profile,
    levels,
)
from stackatlas.portfolio.resolve import Resolution, build_positions, resolve_holdings
from stackatlas.portfolio.risk import RiskResult, market_risk
from stackatlas.portfolio.scenario_impact import ScenarioImpact, scenario_impact


@dataclass
class PortfolioReport(Tabular):
    """Everything ``stackatlas portfolio analyze`` shows. Fractions are 0-1 of the portfolio."""

    source: str
    amount_kind: str  # market_value | weight | shares
    profile: Profile
    holdings: pd.DataFrame  # line, ticker, account, amount, weight, kind, company, name, match
    unknown: list[Resolution]  # holding rows not in the atlas (with suggestions)
    unknown_in_funds: list[Resolution]
    unmapped_share: float  # weight not mapped to an atlas company (unknown + unlisted fund part)
    layers: pd.DataFrame
    segments: pd.DataFrame
    top_names: pd.DataFrame
    hhi: float
    chokepoints: pd.DataFrame
    levels: pd.DataFrame
    gaps: pd.DataFrame
    risk: RiskResult | None = None
    scenario: ScenarioImpact | None = None
    funds: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    disclaimer: str = DISCLAIMER

    @property
    def effective_names(self) -> float:
        return 1 / self.hhi if self.hhi > 0 else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "disclaimer": self.disclaimer,
            "source": self.source,
            "amount_kind": self.amount_kind,
            "profile": {
                "id": self.profile.id,
                "name": self.profile.name,
                "reasoning": self.profile.reasoning,
                "targets": {k: list(v) for k, v in self.profile.targets.items()},
            },
            "holdings": records(self.holdings),
            "unknown": [
                {"line": r.line, "ticker": r.ticker, "suggestions": r.suggestions, "fund": r.fund}
                for r in self.unknown
            ],
            "unknown_in_funds": [
                {"line": r.line, "ticker": r.ticker} for r in self.unknown_in_funds
            ],
            "unmapped_share": self.unmapped_share,
            "layers": records(self.layers),
            "segments": records(self.segments),
            "top_names": records(self.top_names),
            "hhi": self.hhi,
            "effective_names": json_value(self.effective_names),
            "chokepoints": records(self.chokepoints),
            "levels": records(self.levels),
            "gaps": records(self.gaps),
            "gap_summary": gap_sentences(self.gaps, self.profile),
            "risk": self.risk.to_dict() if self.risk else None,
            "scenario": self.scenario.to_dict() if self.scenario else None,
            "funds": self.funds,
            "notes": self.notes,
        }

    def __rich__(self) -> RichGroup:
        from stackatlas.portfolio.render import render_report

        return render_report(self)


def _atlas(atlas: Atlas | None) -> Atlas:
    if atlas is not None:
        return atlas
    from stackatlas.atlas import load_atlas

    return load_atlas()


def _funds(
    etf_holdings: list[str | Path | FundHoldings] | None, holdings: list[Holding]
) -> dict[str, FundHoldings]:
    funds = shipped_funds()
    tickers = {h.ticker for h in holdings}
    for item in etf_holdings or []:
        fund = item if isinstance(item, FundHoldings) else parse_etf_arg(str(item), tickers)
        funds[normalize_ticker(fund.fund)] = fund
    return funds


def _price_tickers(
    atlas: Atlas, holdings: list[Holding], funds: dict[str, FundHoldings], benchmark: str
) -> list[str]:
    tickers = {h.ticker for h in holdings if not h.is_cash}
    tickers |= {c.ticker for f in funds.values() for c in f.constituents}
    tickers |= {c.ticker for c in atlas.companies.values() if c.listed and c.ticker}
    return sorted(tickers | {benchmark})


def analyze_portfolio(
    source: str | Path | bytes,
    *,
    atlas: Atlas | None = None,
    profile: str = "balanced",
    prices_dir: str | Path | None = None,
    scenario: str | None = None,
    etf_holdings: list[str | Path | FundHoldings] | None = None,
    benchmark: str = "SPY",
    years: float = 3.0,
    draws: int = 0,
    seed: int = 0,
    prices: PriceBook | None = None,
    read_options: ReadOptions | None = None,
    holdings: HoldingsFile | None = None,
) -> PortfolioReport:
    """Read, resolve and analyse a holdings file (path, or uploaded bytes) against the atlas.

    Prices (for shares -> weights and for market risk) come from ``prices`` / ``prices_dir``,
    else the store cache, topped up with yfinance when online. Without any prices, risk is
    skipped with a note and a shares-only file raises DataUnavailableError.
    ``scenario`` adds profit-at-risk from the scenario engine (``draws`` > 0: Monte Carlo).
    ``read_options`` (strict, column mapping, decimal style) say how to read the file;
    ``holdings``: ``source`` already read with them (it is then not parsed again).
    """
    atlas = _atlas(atlas)
    chosen = get_profile(profile)
    hf = holdings if holdings is not None else read_holdings(source, options=read_options)
    notes = list(hf.notes)
    funds = _funds(etf_holdings, hf.holdings)
    resolutions = resolve_holdings(atlas, hf.holdings, set(funds))
    book = prices
    if book is None:
        try:
            book = load_prices(
                _price_tickers(atlas, hf.holdings, funds, benchmark), prices_dir=prices_dir
            )
        except (DataUnavailableError, StoreError) as exc:
            if prices_dir is not None:
                raise
            notes.append(f"prices unavailable: {exc}")
    if book is not None:
        notes.extend(book.notes)
    if (
        book is None
        and hf.kind == "shares"
        and not all(h.price is not None or h.is_cash for h in hf.holdings)
    ):
        raise DataUnavailableError(
            f"{hf.path}: the file gives shares, so weights need prices, and none are available. "
            "Pass --prices DIR, add a price or market value column, or go online."
        )

    priced_on: set[str] = set()  # dates of the closes that value share counts

    def price_of(h: Holding) -> float | None:
        # only the holding's own listing: an ADR or another share class may trade at a
        # different ratio or currency (one TSM ADR = five 2330.TW shares)
        hit = book.first_of([h.ticker]) if book is not None else None
        if hit is None:
            return None
        priced_on.add(hit[1].index[-1].date().isoformat())
        return float(hit[1].iloc[-1])

    weights, unpriced = holding_values(hf, price_of)
    if priced_on:  # old closes make old weights (and miss later splits): say which
        first, last = min(priced_on), max(priced_on)
        notes.append(
            "share counts valued at each listing's latest close in the price data ("
            + (first if first == last else f"{first} .. {last}")
            + ")"
        )
    if hf.kind == "weight":
        given = sum(h.amount for h in hf.holdings)
        if abs(given - 1) > 0.005:
            notes.append(f"weights sum to {given:.1%}; rescaled to 100%")
    if unpriced:
        notes.append(
            "weights can't be computed for "
            + ", ".join(f"{h.ticker} (line {h.line})" for h in unpriced)
            + ": shares without a price for that listing; left out of the analysis "
            "(add a price or market value column)"
        )
    if not weights:
        raise DataUnavailableError(f"{hf.path}: no holding could be valued (no prices)")
    positions, unknown_inside = build_positions(atlas, resolutions, weights, funds)
    layers = ex.layer_exposure(atlas, positions)
    unmapped = float(layers.loc[layers["layer"] == "unmapped", "exposure"].sum())
    gaps = compare_profile(layers, chosen)
    risk = None
    if book is not None:
        try:
            risk = market_risk(atlas, book, positions, benchmark=benchmark, years=years)
        except DataUnavailableError as exc:
            notes.append(f"market risk skipped: {exc}")
    else:
        notes.append(
            "market risk skipped: it needs daily price history (pass --prices DIR, or go "
            "online with the prices extra); the exposure above needs none"
        )
    impact = None
    if scenario:
        impact = scenario_impact(atlas, positions, scenario, draws=draws, seed=seed)
    unknown = [r for r in resolutions if r.kind == "unknown"]
    if unknown or unmapped > 0:
        notes.append(f"{unmapped:.1%} of the portfolio is not mapped to atlas companies")
    for r in resolutions:
        if r.match == "suffix":
            notes.append(r.message)
    rows = []
    by_line = {r.line: r for r in resolutions}
    for h in hf.holdings:
        r = by_line[h.line]
        rows.append(
            {
                "line": h.line,
                "ticker": h.ticker,
                "account": h.account,
                "amount": h.amount,
                "weight": weights.get(h.line),
                "kind": r.kind,
                "company": r.company,
                "name": r.company_name or h.description,
                "match": r.match,
            }
        )
    used = {normalize_ticker(r.ticker) for r in resolutions if r.kind == "fund"}
    fund_info = [
        {
            "fund": f.fund,
            "name": f.name,
            "as_of": f.as_of.isoformat() if f.as_of else None,
            "source": f.source,
            "constituents": len(f.constituents),
            "covered_weight": f.covered_weight,
            "cash_weight": f.cash_weight,
            "notes": f.notes,
        }
        for k, f in funds.items()
        if k in used
    ]
    return PortfolioReport(
        source=hf.path,
        amount_kind=hf.kind,
        profile=chosen,
        holdings=pd.DataFrame(rows),
        unknown=unknown,
        unknown_in_funds=unknown_inside,
        unmapped_share=unmapped,
        layers=layers,
        segments=ex.segment_exposure(atlas, positions),
        top_names=ex.top_names(atlas, positions),
        hhi=ex.hhi(positions),
        chokepoints=ex.chokepoint_exposure(atlas, positions),
        levels=levels(atlas),
        gaps=gaps,
        risk=risk,
        scenario=impact,
        funds=fund_info,
        notes=notes,
    )


__all__ = ["PortfolioReport", "analyze_portfolio"]
