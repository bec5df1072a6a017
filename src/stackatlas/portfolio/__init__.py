"""Portfolio mapped onto the AI stack: holdings import, exposure, risk, profiles, scenarios.

    analyze_portfolio(source)      holdings file (path or bytes) -> PortfolioReport
    analyze_holdings(atlas, store, source)   the same without any download (prices from a
                                   folder or the store's price cache): web uploads, reports
    read_holdings(source)          the parsed holdings file (line-located problems)
    profiles_view(atlas)           the article's five levels and the three risk profiles

Educational analysis, not investment advice.
"""

from stackatlas.portfolio.holdings import HoldingsFile, read_holdings
from stackatlas.portfolio.offline import analyze_holdings
from stackatlas.portfolio.profiles import ProfilesView, profiles_view
from stackatlas.portfolio.report import PortfolioReport, analyze_portfolio

__all__ = [
    "HoldingsFile",
    "PortfolioReport",
    "ProfilesView",
    "analyze_holdings",
    "analyze_portfolio",
    "profiles_view",
    "read_holdings",
]
