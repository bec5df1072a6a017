"""Resolve holding tickers to atlas companies.

Order of attempts for one ticker (case and surrounding whitespace never matter):

1. the atlas ticker index: primary ticker, ADRs, local listings and share classes listed in
   ``companies.csv`` (``TSM`` / ``2330.TW``, ``GOOGL`` / ``GOOG``), with ``BRK.B`` = ``BRK-B``;
2. an exchange prefix dropped (``NASDAQ:NVDA`` -> ``NVDA``);
3. a known exchange suffix dropped (``ASML.AS`` -> ``ASML``) when the bare ticker is in the
   atlas - reported as ``match="suffix"`` so the user can check it.

Anything else is ``unknown``: a fund (a listed fund ticker such as SMH / SOXX, a broker's
security type, or "ETF" in the description) is named as a fund with "pass --etf-holdings";
other tickers get "did you mean" suggestions (rapidfuzz over tickers, and over company names
when the row has a description). Cash rows are ``cash``; tickers with a fund holdings file are
``fund``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz

from stackatlas.atlas.atlas import Atlas, normalize_ticker
from stackatlas.display import suggest
from stackatlas.portfolio.etf import FundHoldings
from stackatlas.portfolio.holdings import Holding

EXCHANGE_SUFFIXES = frozenset(
    {
        "AS",
        "TW",
        "TWO",
        "T",
        "KS",
        "KQ",
        "L",
        "DE",
        "F",
        "PA",
        "HK",
        "SS",
        "SZ",
        "SW",
        "TO",
        "V",
        "AX",
        "MI",
        "MC",
        "ST",
        "CO",
        "HE",
        "OL",
        "BR",
        "LS",
        "VI",
        "SA",
        "NS",
        "BO",
        "SI",
        "US",
        "O",
        "N",
        "OQ",
    }
)

Kind = Literal["company", "fund", "cash", "unknown"]
Match = Literal["ticker", "prefix", "suffix", "fund", "cash", "none"]


@dataclass(frozen=True)
class Resolution:
    """How one holding row resolved."""

    line: int
    ticker: str
    kind: Kind
    match: Match
    company: str | None = None  # atlas company id
    company_name: str | None = None
    suggestions: list[str] = field(default_factory=list)
    fund: str | None = None  # why an unknown holding looks like a fund (no holdings file given)

    @property
    def message(self) -> str:
        if self.kind == "unknown" and self.fund:
            return (
                f"line {self.line}: {self.ticker!r} is a fund ({self.fund}); pass "
                f"--etf-holdings {self.ticker}=FILE with its holdings file to look through it"
            )
        if self.kind == "unknown":
            hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
            return f"line {self.line}: ticker {self.ticker!r} is not in the atlas{hint}"
        if self.match == "suffix":
            return (
                f"line {self.line}: {self.ticker!r} matched {self.company_name} by dropping "
                "the exchange suffix"
            )
        return f"line {self.line}: {self.ticker!r} -> {self.company_name or self.kind}"


def resolve_ticker(atlas: Atlas, ticker: str) -> tuple[str | None, Match]:
    """Atlas company id for one ticker and how it matched, or (None, "none")."""
    t = ticker.strip()
    hit = atlas.company_by_ticker(t)
    if hit:
        return hit.id, "ticker"
    if ":" in t:
        hit = atlas.company_by_ticker(t.rsplit(":", 1)[1])
        if hit:
            return hit.id, "prefix"
    norm = normalize_ticker(t)
    if "." in norm:
        base, suffix = norm.rsplit(".", 1)
        if suffix in EXCHANGE_SUFFIXES and base:
            hit = atlas.company_by_ticker(base)
            if hit:
                return hit.id, "suffix"
    return None, "none"


def ticker_index(atlas: Atlas) -> dict[str, str]:
    """Normalized ticker (primary, ADR, local listing, share class) -> atlas company id."""
    by_ticker: dict[str, str] = {}
    for c in atlas.companies.values():
        for t in [c.ticker, *c.other_tickers]:
            if t:
                by_ticker.setdefault(normalize_ticker(t), c.id)
    return by_ticker


def company_names(atlas: Atlas) -> dict[str, Any]:
    """Lower-cased company name or alias -> company (for matching descriptions)."""
    return {n.lower(): c for c in atlas.companies.values() for n in [c.name, *c.aliases]}


def suggest_tickers(
    atlas: Atlas,
    ticker: str,
    description: str | None = None,
    limit: int = 3,
    *,
    index: dict[str, str] | None = None,
    names: dict[str, Any] | None = None,
) -> list[str]:
    """Close atlas tickers (and names, when a description is given), formatted ``TICKER (Name)``.
    ``index`` / ``names``: ``ticker_index(atlas)`` / ``company_names(atlas)`` built once for
    many calls."""
    by_ticker = index if index is not None else ticker_index(atlas)
    # tickers are short: plain edit ratio; a description matches names by their words
    hits = suggest(
        normalize_ticker(ticker),
        by_ticker,
        limit=limit,
        min_score=50,
        spread=None,
        scorer=fuzz.ratio,
    )
    out = [f"{t} ({atlas.companies[by_ticker[t]].name})" for t in hits]
    if description:
        names = names if names is not None else company_names(atlas)
        for name in suggest(
            description, names, limit=2, min_score=80, spread=None, scorer=fuzz.token_set_ratio
        ):
            c = names[name]
            label = f"{c.ticker} ({c.name})" if c.ticker else f"{c.name} (unlisted)"
            if label not in out:
                out.insert(0, label)
    return out[:limit]


def resolve_holdings(
    atlas: Atlas, holdings: list[Holding], funds: set[str] | frozenset[str] = frozenset()
) -> list[Resolution]:
    """One Resolution per holding (same order). ``funds``: normalized tickers with look-through.
    "Did you mean" suggestions are computed for the first 50 unknown tickers only."""
    fund_keys = {normalize_ticker(f) for f in funds}
    out: list[Resolution] = []
    index, names = ticker_index(atlas), company_names(atlas)
    memo: dict[tuple[str, str | None], list[str]] = {}  # a file of 80k unknown rows repeats

    def suggestions(h: Holding) -> list[str]:
        key = (normalize_ticker(h.ticker), h.description)
        if key not in memo:
            memo[key] = suggest_tickers(atlas, h.ticker, h.description, index=index, names=names)
        return memo[key]

    unknown = 0
    for h in holdings:
        if normalize_ticker(h.ticker) in fund_keys:
            out.append(Resolution(h.line, h.ticker, "fund", "fund"))
            continue
        if h.is_cash:
            out.append(Resolution(h.line, h.ticker, "cash", "cash"))
            continue
        cid, how = resolve_ticker(atlas, h.ticker)
        if cid:
            out.append(Resolution(h.line, h.ticker, "company", how, cid, atlas.companies[cid].name))
        elif h.fund:
            out.append(Resolution(h.line, h.ticker, "unknown", "none", fund=h.fund))
        else:
            unknown += 1  # suggestions for the first ones only: a file of 80k unknown tickers
            hints = suggestions(h) if unknown <= 50 else []
            out.append(Resolution(h.line, h.ticker, "unknown", "none", suggestions=hints))
    return out


PositionKind = Literal["company", "cash", "unknown", "fund-cash", "fund-uncovered"]


@dataclass(frozen=True)
class Position:
    """A look-through position: a direct holding, or one fund constituent scaled by the fund."""

    line: int  # line of the holding in the portfolio file
    holding: str  # ticker as written in the portfolio file
    ticker: str  # the position's own ticker (constituent ticker for a fund)
    weight: float  # fraction of the whole portfolio
    kind: PositionKind
    company: str | None = None
    via: str | None = None  # fund ticker when looked through


def build_positions(
    atlas: Atlas,
    resolutions: list[Resolution],
    weights: dict[int, float],
    funds: dict[str, FundHoldings],
) -> tuple[list[Position], list[Resolution]]:
    """Expand funds into constituents; returns positions and the unknown constituent tickers.

    ``weights`` maps a holding's line to its fraction of the portfolio (holdings without a
    weight, e.g. unpriced shares, are left out). ``funds`` is keyed by normalized fund ticker.
    """
    positions: list[Position] = []
    unknown_inside: list[Resolution] = []
    for r in resolutions:
        w = weights.get(r.line)
        if w is None:
            continue
        if r.kind != "fund":
            kind: PositionKind = r.kind
            positions.append(Position(r.line, r.ticker, r.ticker, w, kind, r.company))
            continue
        fund = funds[normalize_ticker(r.ticker)]
        for c in fund.constituents:
            cid, _ = resolve_ticker(atlas, c.ticker)
            if cid is None:
                unknown_inside.append(Resolution(c.line or r.line, c.ticker, "unknown", "none"))
            positions.append(
                Position(
                    r.line,
                    r.ticker,
                    c.ticker,
                    w * c.weight,
                    "company" if cid else "unknown",
                    cid,
                    fund.fund,
                )
            )
        if fund.cash_weight:
            positions.append(
                Position(
                    r.line, r.ticker, "(cash)", w * fund.cash_weight, "fund-cash", None, fund.fund
                )
            )
        rest = 1.0 - fund.covered_weight - fund.cash_weight
        if rest > 1e-9:
            positions.append(
                Position(
                    r.line, r.ticker, "(not listed)", w * rest, "fund-uncovered", None, fund.fund
                )
            )
    return positions, unknown_inside
