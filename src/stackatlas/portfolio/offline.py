"""``analyze_holdings``: a portfolio analysis that never downloads (web requests, reports).

Prices come from a folder of CSVs when one is named, else the store's price cache (read-only),
else none (weights then need a weight or market-value column, and market risk is skipped).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stackatlas.errors import DataUnavailableError
from stackatlas.portfolio.holdings import read_holdings
from stackatlas.portfolio.prices import BENCHMARK_FALLBACKS, PriceBook, load_prices
from stackatlas.portfolio.report import PortfolioReport, analyze_portfolio

if TYPE_CHECKING:
    from stackatlas.atlas import Atlas
    from stackatlas.store import Store


def analyze_holdings(
    atlas: Atlas,
    store: Store | None,
    source: bytes | str | Path,
    *,
    profile: str = "balanced",
    prices_dir: str | Path | None = None,
) -> PortfolioReport:
    """``analyze_portfolio`` with prices from ``prices_dir``, else the (read-only) store's
    price cache; never downloads, so a request or a report build stays offline and read-only."""
    data = source if isinstance(source, bytes) else Path(source)
    holdings = read_holdings(data)
    tickers = {h.ticker for h in holdings.holdings} | set(BENCHMARK_FALLBACKS)
    tickers |= {c.ticker for c in atlas.companies.values() if c.listed and c.ticker}
    book = None
    if prices_dir is not None:
        book = load_prices(tickers, prices_dir=prices_dir)
    elif store is not None:
        try:
            book = load_prices(tickers, store=store, fetch=lambda missing, start: {})
        except DataUnavailableError:
            book = None
    return analyze_portfolio(
        data, atlas=atlas, profile=profile, prices=book or _no_prices(), holdings=holdings
    )


def _no_prices() -> PriceBook:
    return PriceBook(
        {},
        "none (no prices folder or price cache)",
        notes=[
            "no prices available: weights need a weight or market value column, and market "
            "risk is skipped"
        ],
    )
