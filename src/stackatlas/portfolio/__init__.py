"""Portfolio mapped onto the AI stack: holdings import, exposure, risk, profiles, scenarios.

Educational analysis, not investment advice.
"""

from stackatlas.portfolio.report import PortfolioReport, analyze_portfolio

__all__ = ["PortfolioReport", "analyze_portfolio"]
